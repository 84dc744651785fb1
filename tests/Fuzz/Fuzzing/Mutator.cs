using System;
using System.Collections.Generic;
using System.Text;

namespace ArchDsl.Fuzzing
{
    /// <summary>Byte-level and token-level mutations of a seed file: flipped bits, deleted, duplicated, swapped or
    /// truncated ranges, inserted tokens (keywords, punctuation, extreme numbers, hostile text) and raw bytes
    /// (NUL, invalid UTF-8, line separators). The result is decoded as the compiler would read the file.</summary>
    public sealed class Mutator
    {
        private static readonly string[] Tokens =
        {
            "{", "}", "(", ")", "[", "]", ",", ":", "=", "==", "|>", "..", "@", "?", "\"", "//", "/*", "*/", "\n", " ",
            "block", "network", "variant", "import", "let", "if", "else", "repeat", "as", "for", "in", "residual", "shortcut",
            "when", "zeropad", "concat", "add", "mul", "split", "dense", "aux", "input", "true", "false", "reference",
            "0", "1", "-1", "2", "0.5", "1e308", "1e-308", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "99999999999999999999999", "2147483648", "65536", "1000000000", "0x10", "1.", ".5", "1e", "NaN", "x",
            "in_channels", "in_height", "len([])", "max()", "make_divisible(0, 0)", "1 / 0", "1 % 0", "2 ^ 64", "[]", "[[1]]",
            "conv(0, 1)", "conv(-1, 1)", "conv(8, 0)", "groups: 0", "stride: 0", "padding: -5", "linear(0)", "split { }", "dense repeat 0 as j { }",
            "class", "namespace", "this", "base", "#line 1", "\\u0041", "\\", "\u00e9", "\u0130", "\u2028", "\u200b", "\ud83d\ude00", "\t", "\r",
        };

        private readonly Random random;

        public Mutator(Random random) => this.random = random;

        public string Mutate(string seed)
        {
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(seed));
            int steps = 1 + (random.Next(4) == 0 ? random.Next(1, 8) : 0);
            for (int s = 0; s < steps; s++) Step(bytes);
            // As an AdditionalText reads it: invalid UTF-8 becomes U+FFFD.
            return Encoding.UTF8.GetString(bytes.ToArray());
        }

        private void Step(List<byte> bytes)
        {
            int n = bytes.Count;
            int at = n == 0 ? 0 : random.Next(n + 1);
            int len = n == 0 ? 0 : Math.Min(n - Math.Min(at, n), 1 + random.Next(random.Next(2) == 0 ? 8 : 200));
            switch (random.Next(10))
            {
                case 0: // flip a bit
                    if (at < n) bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // a random byte
                    if (at < n) bytes[at] = (byte)random.Next(256);
                    else bytes.Add((byte)random.Next(256));
                    break;
                case 2: // delete a range
                    if (len > 0) bytes.RemoveRange(Math.Min(at, n - len), len);
                    break;
                case 3: // duplicate a range in place
                    if (len > 0) { int from = Math.Min(at, n - len); bytes.InsertRange(from, bytes.GetRange(from, len)); }
                    break;
                case 4: // copy a range elsewhere
                    if (len > 0) { int from = Math.Min(at, n - len); bytes.InsertRange(random.Next(n + 1), bytes.GetRange(from, len)); }
                    break;
                case 5: // truncate
                    if (n > 0) bytes.RemoveRange(at, n - at);
                    break;
                case 6: // raw bytes: NUL, BOM, lone continuation bytes, overlong encodings
                    bytes.InsertRange(at, Pick(new[] { new byte[] { 0 }, new byte[] { 0xEF, 0xBB, 0xBF }, new byte[] { 0x80 }, new byte[] { 0xC0, 0xAF }, new byte[] { 0xFF, 0xFE }, new byte[] { 0xED, 0xA0, 0x80 } }));
                    break;
                case 7: // hostile text
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Pick(ProgramGenerator.HostileText)));
                    break;
                default: // a token, at a token boundary when one is near
                    while (at < n && at > 0 && IsWordByte(bytes[at]) && IsWordByte(bytes[at - 1])) at++;
                    var token = Pick(Tokens);
                    if (random.Next(3) == 0 && at < n)
                    {
                        int end = at;
                        while (end < n && IsWordByte(bytes[end])) end++;
                        bytes.RemoveRange(at, end - at);
                    }
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(random.Next(2) == 0 ? token : " " + token + " "));
                    break;
            }
        }

        private static bool IsWordByte(byte b) => b == '_' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');

        private T Pick<T>(T[] items) => items[random.Next(items.Length)];
    }
}
