using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;

namespace ArchDsl.Diagnostics
{
    /// <summary>One entry of the diagnostic catalogue: a stable id, a severity and a message format.</summary>
    public sealed record DiagnosticDescriptor(string Id, ArchSeverity Severity, string Title, string Format)
    {
        public string FormatMessage(params object[] args) =>
            args.Length == 0 ? Format : string.Format(CultureInfo.InvariantCulture, Format, args);
    }

    /// <summary>Every diagnostic the front end and the emitter can report. Ids are stable: never renumber.
    /// docs/diagnostics.md gives each an example and a fix.</summary>
    public static class DiagnosticCatalogue
    {
        public static readonly DiagnosticDescriptor SyntaxError = Error("ARCH0001", "Syntax error", "Syntax error: expected {0}");
        public static readonly DiagnosticDescriptor UnknownName = Error("ARCH0002", "Unknown name", "Unknown name '{0}'");
        public static readonly DiagnosticDescriptor UnknownCallee = Error("ARCH0003", "Unknown layer or block", "Unknown layer or block '{0}'");
        public static readonly DiagnosticDescriptor UnknownParameter = Error("ARCH0004", "Unknown parameter", "'{0}' has no parameter named '{1}'");
        public static readonly DiagnosticDescriptor ArgumentCount = Error("ARCH0005", "Wrong argument count", "{0}");
        public static readonly DiagnosticDescriptor TypeMismatch = Error("ARCH0006", "Wrong type", "{0}");
        public static readonly DiagnosticDescriptor ChannelMismatch = Error("ARCH0007", "Channel mismatch", "Channel mismatch in '{0}': {1} vs {2} channels");
        public static readonly DiagnosticDescriptor SpatialMismatch = Error("ARCH0008", "Spatial mismatch", "Spatial size mismatch in '{0}': {1} vs {2}");
        public static readonly DiagnosticDescriptor GroupsDoNotDivide = Error("ARCH0009", "Groups do not divide channels", "groups = {0} does not divide {1} channels = {2}");
        public static readonly DiagnosticDescriptor SplitDoesNotDivide = Error("ARCH0010", "Split does not divide channels", "Cannot split {0} channels into {1} equal chunks");
        public static readonly DiagnosticDescriptor SizeBelowOne = Error("ARCH0011", "Size below 1", "'{0}' shrinks the input {1} to {2}: a size drops below 1");
        public static readonly DiagnosticDescriptor DuplicateName = Error("ARCH0012", "Duplicate name", "'{0}' is already defined {1}");
        public static readonly DiagnosticDescriptor UnusedParameter = Warning("ARCH0013", "Unused parameter", "Parameter '{0}' of '{1}' is never used");
        public static readonly DiagnosticDescriptor CyclicDefinition = Error("ARCH0014", "Cyclic definition", "'{0}' uses itself: {1}");
        public static readonly DiagnosticDescriptor CyclicImport = Error("ARCH0015", "Cyclic import", "Import cycle: {0}");
        public static readonly DiagnosticDescriptor ImportNotFound = Error("ARCH0016", "Import not found or refused", "{0}");
        public static readonly DiagnosticDescriptor InputDeclaration = Error("ARCH0017", "Input declaration", "{0}");
        public static readonly DiagnosticDescriptor InvalidValue = Error("ARCH0018", "Invalid value", "{0}");
        public static readonly DiagnosticDescriptor NotANetwork = Error("ARCH0019", "Not a network", "Variant '{0}' must name a network, but '{1}' is {2}");
        public static readonly DiagnosticDescriptor ChannelsMustBeFlat = Error("ARCH0020", "Input not flat", "'{0}' needs a flat input [C, 1, 1] but gets {1}; add 'flatten' or a global pooling first");
        public static readonly DiagnosticDescriptor SharedModule = Error("ARCH0021", "Shared module", "{0}");
        public static readonly DiagnosticDescriptor NotSupportedByEmitter = Error("ARCH0022", "Not supported by the code generator", "{0}");
        public static readonly DiagnosticDescriptor TooLarge = Error("ARCH0023", "Network too large", "{0}");
        public static readonly DiagnosticDescriptor DuplicateArgument = Error("ARCH0024", "Duplicate argument", "Argument '{0}' is given more than once");
        public static readonly DiagnosticDescriptor MisplacedStatement = Error("ARCH0025", "Misplaced statement", "{0}");
        public static readonly DiagnosticDescriptor TensorMisuse = Error("ARCH0026", "Tensor and scalar mixed up", "{0}");
        public static readonly DiagnosticDescriptor MissingDefault = Info("ARCH0027", "Network not analysed", "Network '{0}' has parameters without defaults ({1}); it is analysed through its variants only");
        public static readonly DiagnosticDescriptor GeneratedNameCollision = Error("ARCH0028", "Name collides in the generated code", "{0}");
        public static readonly DiagnosticDescriptor InternalError = Error("ARCH9998", "Internal front-end error", "Internal error in the .arch front end: {0}");

        public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
            SyntaxError, UnknownName, UnknownCallee, UnknownParameter, ArgumentCount, TypeMismatch,
            ChannelMismatch, SpatialMismatch, GroupsDoNotDivide, SplitDoesNotDivide, SizeBelowOne,
            DuplicateName, UnusedParameter, CyclicDefinition, CyclicImport, ImportNotFound,
            InputDeclaration, InvalidValue, NotANetwork, ChannelsMustBeFlat, SharedModule,
            NotSupportedByEmitter, TooLarge, DuplicateArgument, MisplacedStatement, TensorMisuse,
            MissingDefault, GeneratedNameCollision, InternalError);

        private static DiagnosticDescriptor Error(string id, string title, string format) => new DiagnosticDescriptor(id, ArchSeverity.Error, title, format);
        private static DiagnosticDescriptor Warning(string id, string title, string format) => new DiagnosticDescriptor(id, ArchSeverity.Warning, title, format);
        private static DiagnosticDescriptor Info(string id, string title, string format) => new DiagnosticDescriptor(id, ArchSeverity.Info, title, format);
    }
}
