using System;
using System.Linq;
using Sprache;

namespace ArchDsl.Syntax
{
    /// <summary>Sprache's sequencing and choice combinators with the same results, failures and expectations,
    /// written so that running them allocates only the result. Sprache's own build a parser (closures) on every
    /// attempt: <c>from a in A from b in B select …</c> made about five objects per step tried. Being in this
    /// namespace, these are the ones the grammar's query expressions and <c>.Then</c>/<c>.Or</c> calls bind to.</summary>
    internal static class Combinators
    {
        public static Parser<U> Then<T, U>(this Parser<T> first, Func<T, Parser<U>> second) => input =>
        {
            var r = first(input);
            return r.WasSuccessful ? second(r.Value)(r.Remainder) : Result.Failure<U>(r.Remainder, r.Message, r.Expectations);
        };

        public static Parser<U> Select<T, U>(this Parser<T> parser, Func<T, U> convert) => input =>
        {
            var r = parser(input);
            return r.WasSuccessful ? Result.Success(convert(r.Value), r.Remainder) : Result.Failure<U>(r.Remainder, r.Message, r.Expectations);
        };

        public static Parser<V> SelectMany<T, U, V>(this Parser<T> parser, Func<T, Parser<U>> selector, Func<T, U, V> projector) => input =>
        {
            var r = parser(input);
            if (!r.WasSuccessful) return Result.Failure<V>(r.Remainder, r.Message, r.Expectations);
            var u = selector(r.Value)(r.Remainder);
            return u.WasSuccessful ? Result.Success(projector(r.Value, u.Value), u.Remainder) : Result.Failure<V>(u.Remainder, u.Message, u.Expectations);
        };

        /// <summary>A failure that consumed nothing expects <paramref name="name"/> instead of what the parser expected.</summary>
        public static Parser<T> Named<T>(this Parser<T> parser, string name)
        {
            var expected = new[] { name };
            return input =>
            {
                var r = parser(input);
                return r.WasSuccessful || !r.Remainder.Equals(input) ? r : Result.Failure<T>(r.Remainder, r.Message, expected);
            };
        }

        /// <summary>First, or second when first fails or consumes nothing; when both fail, the failure that got
        /// further (at the same offset: first's, expecting either's).</summary>
        public static Parser<T> Or<T>(this Parser<T> first, Parser<T> second) => input =>
        {
            var fr = first(input);
            if (!fr.WasSuccessful)
            {
                var sr = second(input);
                if (sr.WasSuccessful) return sr;
                int a = fr.Remainder.Position, b = sr.Remainder.Position;
                if (b > a) return sr;
                if (b < a) return fr;
                return Result.Failure<T>(fr.Remainder, fr.Message, fr.Expectations.Union(sr.Expectations));
            }
            if (fr.Remainder.Equals(input))
            {
                var sr = second(input);
                return sr.WasSuccessful ? sr : fr;
            }
            return fr;
        };
    }
}
