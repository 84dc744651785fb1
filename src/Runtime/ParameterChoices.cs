using System;
using System.Globalization;
using System.Linq;

namespace ArchDsl.Runtime
{
    /// <summary>The run-time side of <c>choice(p: [...])</c>: a constructor argument outside the declared search
    /// space is rejected before any layer is built (the front end checks variants the same way statically).</summary>
    public static class ParameterChoices
    {
        public static void Require<T>(string parameter, T value, T[] allowed)
        {
            if (!allowed.Contains(value))
                throw new ArgumentException("'" + parameter + "' is " + Show(value) + ", not one of the choices [" + string.Join(", ", allowed.Select(Show)) + "]", parameter);
        }

        /// <summary>A list parameter: one choice per layer, each item from <paramref name="allowed"/>.</summary>
        public static void Require<T>(string parameter, T[] value, T[] allowed)
        {
            for (int i = 0; i < value.Length; i++)
                if (!allowed.Contains(value[i]))
                    throw new ArgumentException("'" + parameter + "[" + i.ToString(CultureInfo.InvariantCulture) + "]' is " + Show(value[i])
                        + ", not one of the choices [" + string.Join(", ", allowed.Select(Show)) + "]", parameter);
        }

        private static string Show<T>(T value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
    }
}
