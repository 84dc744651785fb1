using System;
using System.Linq;
using ArchDsl.Dsl.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace ArchDsl.Dsl.Tests.Properties
{
    /// <summary>Random mutations of every catalogue file: the front end never throws, and every diagnostic
    /// lies inside the file.</summary>
    public class RobustnessProperties
    {
        private static readonly string[] Fragments = { "{", "}", "(", ")", ",", ":", "|>", "@", "\"", "0", "-1", "x", "residual", "repeat", "let", "\n", "//", "/*", "..", "99999999999999999999", "[", "]", "?", "^" };

        /// <summary>A mutation: (position fraction, kind, fragment index, length).</summary>
        private static Gen<(double, int, int, int)> Mutation() =>
            from pos in Gen.Choose(0, 10000)
            from kind in Gen.Choose(0, 2)
            from frag in Gen.Choose(0, Fragments.Length - 1)
            from len in Gen.Choose(1, 12)
            select (pos / 10000.0, kind, frag, len);

        private static string Apply(string text, (double Pos, int Kind, int Frag, int Len)[] mutations)
        {
            foreach (var m in mutations)
            {
                int at = Math.Min(text.Length, (int)(m.Pos * text.Length));
                switch (m.Kind)
                {
                    case 0: text = text.Remove(at, Math.Min(m.Len, text.Length - at)); break;
                    case 1: text = text.Insert(at, Fragments[m.Frag]); break;
                    default: text = text.Remove(at, Math.Min(m.Len, text.Length - at)).Insert(at, Fragments[m.Frag]); break;
                }
            }
            return text;
        }

        [Fact]
        public void Mutated_catalogue_files_never_throw()
        {
            var files = TestFiles.CatalogueFiles().Select(TestFiles.Catalogue).ToArray();
            var gen = from file in Gen.Elements(files)
                      from mutations in Gen.ArrayOf(Mutation()).Where(a => a.Length > 0 && a.Length <= 6)
                      select (file, mutations);
            Prop.ForAll(gen.ToArbitrary(), input =>
            {
                var text = Apply(input.file.Text, input.mutations);
                var result = ArchFrontEnd.Analyze(new SourceFile(input.file.Path, text), new TestFiles.CatalogueImports());
                return result.Diagnostics.All(d => d.Id != "ARCH9998" && (d.Path != input.file.Path || (d.Start >= 0 && d.Start + d.Length <= text.Length)));
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(150));
        }
    }
}
