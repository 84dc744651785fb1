using System.Collections.Generic;
using System.Collections.Immutable;
using ArchDsl.Text;

namespace ArchDsl.Syntax
{
    /// <summary>One comment of a source text: <c>// …</c> to the end of its line, or <c>/* … */</c>.</summary>
    public readonly struct SourceComment
    {
        public SourceComment(TextSpan span, bool isLine)
        {
            Span = span;
            IsLine = isLine;
        }

        public TextSpan Span { get; }

        /// <summary>True for <c>//</c> comments, which end the line they are on.</summary>
        public bool IsLine { get; }
    }

    /// <summary>What the syntax tree leaves out: the comments of a text, and which '(' closes at which ')'.
    /// Scanned the way the parser's trivia and string tokens read the text, so a "//" inside a string is no comment.</summary>
    public sealed class SourceComments
    {
        private readonly Dictionary<int, int> _closingParen;

        private SourceComments(ImmutableArray<SourceComment> comments, Dictionary<int, int> closingParen)
        {
            Comments = comments;
            _closingParen = closingParen;
        }

        /// <summary>The comments, in text order.</summary>
        public ImmutableArray<SourceComment> Comments { get; }

        /// <summary>The offset of the ')' that closes the '(' at <paramref name="open"/>; -1 when unbalanced.</summary>
        public int ClosingParen(int open) => _closingParen.TryGetValue(open, out var close) ? close : -1;

        /// <summary>The offset of a <c>/*</c> that no <c>*/</c> closes, or -1. There is at most one, the last comment:
        /// an unclosed comment runs to the end of the text.</summary>
        public static int UnclosedComment(string text)
        {
            var comments = Scan(text).Comments;
            if (comments.IsEmpty || comments[comments.Length - 1].IsLine) return -1;
            var last = comments[comments.Length - 1].Span;
            bool closed = last.Length >= 4 && text[last.End - 2] == '*' && text[last.End - 1] == '/';
            return closed ? -1 : last.Start;
        }

        public static SourceComments Scan(string text)
        {
            var comments = ImmutableArray.CreateBuilder<SourceComment>();
            var closing = new Dictionary<int, int>();
            var open = new Stack<int>();
            int i = 0, n = text.Length;
            while (i < n)
            {
                char c = text[i];
                if (c == '"')
                {
                    // A string runs to its closing quote or the end of its line (the parser reports the latter).
                    i++;
                    while (i < n && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' && i + 1 < n && text[i + 1] != '\n' ? 2 : 1;
                    if (i < n && text[i] == '"') i++;
                    continue;
                }
                if (c == '/' && i + 1 < n && text[i + 1] == '/')
                {
                    int start = i;
                    while (i < n && text[i] != '\n') i++;
                    int end = i;
                    while (end > start && (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t')) end--;
                    comments.Add(new SourceComment(TextSpan.FromBounds(start, end), isLine: true));
                    continue;
                }
                if (c == '/' && i + 1 < n && text[i + 1] == '*')
                {
                    int start = i;
                    i += 2;
                    while (i < n && !(text[i] == '*' && i + 1 < n && text[i + 1] == '/')) i++;
                    i = i + 2 > n ? n : i + 2;
                    comments.Add(new SourceComment(TextSpan.FromBounds(start, i), isLine: false));
                    continue;
                }
                if (c == '(') open.Push(i);
                else if (c == ')' && open.Count > 0) closing[open.Pop()] = i;
                i++;
            }
            return new SourceComments(comments.ToImmutable(), closing);
        }
    }
}
