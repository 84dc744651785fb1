using System;
using System.Globalization;
using System.Threading;

namespace ArchDsl
{
    /// <summary>Every bound the front end and the emitter put on hostile input, in one place (docs/reliability.md
    /// gives each with the figures measured). Exceeding one is a located ARCH0023, never a hang or an exhaustion.</summary>
    public static class ReliabilityLimits
    {
        /// <summary>The longest file the front end reads (characters). The catalogue's largest is under 10,000; the
        /// limit keeps a runaway file (generated, pasted, binary) from holding the IDE's generator for minutes.</summary>
        public const int MaxFileLength = 1 << 20;

        /// <summary>The largest file the command line reads (bytes), checked before it is opened: four bytes per character
        /// of <see cref="MaxFileLength"/>, the most UTF-8 needs. The front end then holds the file to its length.</summary>
        public const long MaxFileBytes = 4L * MaxFileLength;

        /// <summary>How deep a declaration's tree may be. The binder, elaborator and emitter walk trees recursively;
        /// this bound keeps them well inside a 1 MB stack (the catalogue stays under 20 levels).</summary>
        public const int MaxTreeDepth = 200;

        /// <summary>Branches of one <c>if … else if … else</c> chain. A chain counts as one level of
        /// <see cref="MaxTreeDepth"/>, but the binder, elaborator and emitter still recurse once per branch; this keeps
        /// that recursion within the same stack (measured: ReliabilityLimitsTests).</summary>
        public const int MaxElseIfBranches = 300;

        /// <summary>Layers of one network, so a runaway <c>repeat</c> is an error, not a hang.</summary>
        public const int MaxLayersPerNetwork = 200_000;

        /// <summary>How deep block applications may nest (a block applying a block …).</summary>
        public const int MaxBlockDepth = 64;

        /// <summary>The longest string value an expression may build (characters).</summary>
        public const int MaxStringLength = MaxFileLength;

        /// <summary>How many cost units of each kind one file (with its imports) may spend, all its networks and
        /// variants together. The catalogue's busiest file uses under a hundredth of each (docs/reliability.md).</summary>
        public static long Limit(WorkKind kind) => kind switch
        {
            WorkKind.LoopIterations => 500_000,
            WorkKind.BlockApplications => 200_000,
            WorkKind.ExpressionSteps => 5_000_000,
            WorkKind.Layers => 2 * MaxLayersPerNetwork,
            WorkKind.Variants => 1_000,
            WorkKind.EmittedCharacters => 16L << 20,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        /// <summary>What the emitter charges per layer before it writes a network's doc table and metadata (a row of each,
        /// about 110 characters apiece), so that text it may not write is never built.</summary>
        public const int EmittedCharactersPerLayer = 256;

        /// <summary>How a kind of work is named in the diagnostic that reports it.</summary>
        public static string Describe(WorkKind kind) => kind switch
        {
            WorkKind.LoopIterations => "loop iterations",
            WorkKind.BlockApplications => "block applications",
            WorkKind.ExpressionSteps => "evaluation steps (statements and expressions)",
            WorkKind.Layers => "elaborated layers (all networks and variants together)",
            WorkKind.Variants => "networks and variants",
            WorkKind.EmittedCharacters => "characters of generated code",
            _ => kind.ToString(),
        };
    }

    /// <summary>The kinds of work a <see cref="WorkBudget"/> meters.</summary>
    public enum WorkKind { LoopIterations, BlockApplications, ExpressionSteps, Layers, Variants, EmittedCharacters }

    /// <summary>The work one file may cost: a meter per <see cref="WorkKind"/>, each bounded by
    /// <see cref="ReliabilityLimits.Limit"/>, and the cancellation token checked as the meters run (every 4,096 units),
    /// so an IDE that cancels is heard within microseconds whatever the file does. Not thread-safe: one per analysis.</summary>
    public sealed class WorkBudget
    {
        private const int CancellationStride = 4096;
        private readonly long[] _used = new long[Enum.GetValues(typeof(WorkKind)).Length];
        private readonly CancellationToken _cancellation;
        private long _sinceCheck;

        public WorkBudget(CancellationToken cancellation = default) { _cancellation = cancellation; }

        public CancellationToken Cancellation => _cancellation;

        /// <summary>The first kind that ran out; null while every kind is within its limit.</summary>
        public WorkKind? Exhausted { get; private set; }

        /// <summary>Units of <paramref name="kind"/> spent so far.</summary>
        public long Used(WorkKind kind) => _used[(int)kind];

        /// <summary>Spends <paramref name="amount"/> units; false (and nothing spent) when that would exceed the limit.
        /// Throws <see cref="OperationCanceledException"/> once cancellation is requested.</summary>
        public bool TryCharge(WorkKind kind, long amount = 1)
        {
            _sinceCheck += amount;
            if (_sinceCheck >= CancellationStride)
            {
                _sinceCheck = 0;
                _cancellation.ThrowIfCancellationRequested();
            }
            long used = _used[(int)kind];
            if (amount > ReliabilityLimits.Limit(kind) - used)
            {
                Exhausted ??= kind;
                return false;
            }
            _used[(int)kind] = used + amount;
            return true;
        }

        /// <summary>The message of the diagnostic reported where <paramref name="kind"/> ran out.</summary>
        public static string ExceededMessage(WorkKind kind) =>
            "Too much work: this needs more than " + ReliabilityLimits.Limit(kind).ToString("N0", CultureInfo.InvariantCulture) + " "
            + ReliabilityLimits.Describe(kind) + " for one file; the limit keeps a build from hanging";
    }
}
