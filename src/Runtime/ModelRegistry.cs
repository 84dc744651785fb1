using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace ArchDsl.Runtime
{
    /// <summary>One network of a project's generated registry (<c>ArchModels</c>): its class name, the .arch file that
    /// declares it, the reference it mirrors (if any), and its static figures at the declared input, which is its data
    /// config's input size.</summary>
    public sealed record ModelCard(string Name, string SourceFile, string? Reference, long Params, long Macs, long[] InputShape)
    {
        /// <summary>How input images are prepared for this network (the variant's <c>data</c> clause); null when the
        /// .arch file declares none.</summary>
        public DataConfig? Data { get; init; }

        public override string ToString() =>
            Name + " " + NetworkMetadata.Shape(InputShape) + ", " + NetworkMetadata.N(Params) + " params, " + NetworkMetadata.N(Macs) + " MACs (" + SourceFile + ")";
    }

    /// <summary>Name lookup behind every generated <c>ArchModels</c>: case-insensitive, and blind to '_', '-' and '.'
    /// ("resnet50", "ResNet50", "mobilenet_v2_100" all find their class).</summary>
    public static class ModelRegistry
    {
        /// <summary>The name as lookups compare it: lower case, without '_', '-', '.' and spaces.</summary>
        public static string Key(string name) =>
            new string(name.Where(c => c != '_' && c != '-' && c != '.' && c != ' ').Select(char.ToLowerInvariant).ToArray());

        /// <summary>The card named <paramref name="name"/>; an <see cref="ArgumentException"/> naming the closest names when
        /// there is none.</summary>
        public static ModelCard Find(IReadOnlyList<ModelCard> cards, string name)
        {
            ArgumentNullException.ThrowIfNull(cards);
            ArgumentNullException.ThrowIfNull(name);
            var exact = cards.Where(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (exact.Count == 1) return exact[0];
            var key = Key(name);
            var loose = cards.Where(c => Key(c.Name) == key).ToList();
            if (loose.Count == 1) return loose[0];
            if (loose.Count > 1)
                throw new ArgumentException("'" + name + "' names several models: " + string.Join(", ", loose.Select(c => c.Name)) + "; give the exact name", nameof(name));
            var close = cards.Select(c => (Card: c, Distance: Distance(Key(c.Name), key)))
                .Where(x => x.Distance <= Math.Max(2, key.Length / 3) || Key(x.Card.Name).StartsWith(key, StringComparison.Ordinal) && key.Length > 0)
                .OrderBy(x => x.Distance).ThenBy(x => x.Card.Name, StringComparer.Ordinal).Take(5).Select(x => x.Card.Name).ToList();
            throw new ArgumentException("no model named '" + name + "' among the " + cards.Count.ToString(CultureInfo.InvariantCulture) + " of this project"
                + (close.Count > 0 ? "; close names: " + string.Join(", ", close) : "; ArchModels.List() shows them all"), nameof(name));
        }

        /// <summary>The cards whose names match <paramref name="pattern"/>: '*' stands for any run of characters, '?' for
        /// one; case-insensitive, in the registry's order.</summary>
        public static IReadOnlyList<ModelCard> Match(IReadOnlyList<ModelCard> cards, string pattern = "*")
        {
            ArgumentNullException.ThrowIfNull(cards);
            ArgumentNullException.ThrowIfNull(pattern);
            var regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            return cards.Where(c => regex.IsMatch(c.Name)).ToList();
        }

        /// <summary>A network whose class count is fixed by its variant, given a fresh classifier when another count is asked for.</summary>
        public static T WithClasses<T>(T model, long? numClasses) where T : IBackbone
        {
            if (numClasses is long n) model.ResetClassifier(n);
            return model;
        }

        /// <summary>Levenshtein distance.</summary>
        private static int Distance(string a, string b)
        {
            var previous = Enumerable.Range(0, b.Length + 1).ToArray();
            for (int i = 1; i <= a.Length; i++)
            {
                var current = new int[b.Length + 1];
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
            return previous[b.Length];
        }
    }
}
