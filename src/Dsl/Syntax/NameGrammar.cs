using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Text;
using Sprache;
using static ArchDsl.Syntax.Lexical;
using static ArchDsl.Syntax.ArchParser;
using static ArchDsl.Syntax.ExpressionGrammar;
using static ArchDsl.Syntax.StatementGrammar;

namespace ArchDsl.Syntax
{
    /// <summary>The .arch grammar: names and labels, with their interpolated parts. Part of <see cref="ArchParser"/>.</summary>
    internal static class NameGrammar
    {
        // ------------------------------------------------------------ names

        internal static readonly Parser<NamePart> LiteralPart =
            from start in Pos from text in NameChars from end in Pos select new NamePart(text, null, S(start, end));

        internal static readonly Parser<NamePart> InterpolatedPart =
            from start in Pos
            from open in OpenBrace
            from e in ExprRef
            from close in Sym("}")
            from end in Pos
            select new NamePart(null, e, S(start, end));

        internal static readonly Parser<IEnumerable<NamePart>> NameParts = InterpolatedPartRef.Or(LiteralPartRef).Many();

        internal static readonly Parser<NameSpec> NameSpecP =
            from first in Ident
            from rest in NameParts
            from end in Pos
            select new NameSpec(MergeParts(new NamePart(first.Name, null, S(first.Start, first.End)), rest), S(first.Start, end));

        /// <summary>A label (a module's state-dict key): letters, digits, '_' and '-' with interpolations, no spaces, at
        /// least one part: <c>conv1</c>, <c>block{s+1}-{j}</c>, <c>0</c>, <c>{i+1}</c>. A '-' stands between two other
        /// parts (never first or last), an interpolation closes on its line, and a label is never a keyword alone.</summary>
        internal static readonly Parser<NameSpec> LabelP = ReadLabel(beforeColon: true);

        /// <summary>A shortcut's name: a label followed by 'when' or its body, not ':'.</summary>
        internal static readonly Parser<NameSpec> ShortcutLabelP = ReadLabel(beforeColon: false);

        internal static Parser<NameSpec> ReadLabel(bool beforeColon) => input =>
        {
            var i = Ws(input).Remainder;
            int start = i.Position;
            string text = i.Source;
            // Before ':', read only what is followed by ':' (a group or pipeline stage starting with '{' is not re-read
            // as a label at every nesting level); a shortcut's name never starts with '{'.
            if (beforeColon ? !LooksLikeLabel(text, start) : i.AtEnd || i.Current == '{')
                return Result.Failure<NameSpec>(input, "label", new[] { "label" });
            var parts = new List<NamePart>();
            while (!i.AtEnd)
            {
                if (i.Current == '{')
                {
                    if (!ClosesOnSameLine(text, i.Position)) break;
                    var r = InterpolatedPart(i);
                    if (!r.WasSuccessful) return Result.Failure<NameSpec>(r.Remainder, r.Message, r.Expectations);
                    parts.Add(r.Value);
                    i = r.Remainder;
                    continue;
                }
                int p = i.Position, q = p;
                while (q < text.Length && (IsIdentPart(text[q])
                    || (text[q] == '-' && q > start && q + 1 < text.Length && (IsIdentPart(text[q + 1]) || text[q + 1] == '{'))))
                    q++;
                if (q == p) break;
                parts.Add(new NamePart(text.Substring(p, q - p), null, S(p, q)));
                i = AdvanceTo(i, q);
            }
            if (parts.Count == 0 || (parts.Count == 1 && parts[0].Text != null && Keywords.Contains(parts[0].Text!)))
                return Result.Failure<NameSpec>(input, "label", new[] { "label" });
            return Result.Success(new NameSpec(MergeParts(parts[0], parts.Skip(1)), S(start, i.Position)), i);
        };

        /// <summary>A cheap scan: label characters and '{…}' closing on their line from <paramref name="p"/>, then ':'
        /// (not '::').</summary>
        internal static bool LooksLikeLabel(string text, int p)
        {
            int start = p;
            while (p < text.Length)
            {
                char c = text[p];
                if (c == '{')
                {
                    int depth = 0, q = p;
                    for (; q < text.Length && text[q] != '\n'; q++)
                    {
                        if (text[q] == '{') depth++;
                        else if (text[q] == '}' && --depth == 0) break;
                    }
                    if (q >= text.Length || text[q] != '}') return false;
                    p = q + 1;
                }
                else if (IsLabelPart(c)) p++;
                else break;
            }
            if (p == start) return false;
            while (p < text.Length && char.IsWhiteSpace(text[p])) p++;
            return p < text.Length && text[p] == ':' && (p + 1 >= text.Length || text[p + 1] != ':');
        }

        internal static ImmutableArray<NamePart> MergeParts(NamePart first, IEnumerable<NamePart> rest)
        {
            var parts = new List<NamePart> { first };
            foreach (var p in rest)
            {
                var last = parts[parts.Count - 1];
                if (p.Text != null && last.Text != null)
                    parts[parts.Count - 1] = new NamePart(last.Text + p.Text, null, last.Span.Cover(p.Span));
                else parts.Add(p);
            }
            return parts.ToImmutableArray();
        }
    }
}
