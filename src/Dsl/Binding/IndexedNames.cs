using System.Linq;
using System.Text.RegularExpressions;
using ArchDsl.Syntax;

namespace ArchDsl.Binding
{
    /// <summary>Static checks on interpolated names (<c>x{i}</c>, <c>w{j}_{i}</c>). The binder cannot evaluate the
    /// interpolated parts, so a use is accepted when some earlier declaration could produce the same name: their
    /// literal text agrees around the interpolated parts. The elaborator then checks the exact name.</summary>
    public static class IndexedNames
    {
        /// <summary>A name the declaration could produce: each interpolated part replaced by <c>0</c>.</summary>
        public static string Sample(NameSpec declaration) => string.Concat(declaration.Parts.Select(p => p.Text ?? "0"));

        /// <summary>Whether the use could name what <paramref name="declared"/> (a sample or a plain name) names.</summary>
        public static bool CouldName(NameSpec use, string declared) =>
            Regex.IsMatch(declared, "^" + string.Concat(use.Parts.Select(p => p.Text != null ? Regex.Escape(p.Text) : "[A-Za-z0-9_]+")) + "$");

        /// <summary>How a diagnostic shows the name: <c>x{…}</c>.</summary>
        public static string Display(NameSpec name) => string.Concat(name.Parts.Select(p => p.Text ?? "{…}"));
    }
}
