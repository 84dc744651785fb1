using System.Collections.Immutable;
using ArchDsl.Text;

namespace ArchDsl.Syntax
{
    /// <summary>Every syntax node knows where it came from.</summary>
    public abstract record SyntaxNode(TextSpan Span);

    // ---------------------------------------------------------------- types

    /// <summary><c>int</c>, <c>float</c>, <c>bool</c>, <c>string</c>, <c>block</c>, each optionally followed by <c>[]</c>s.</summary>
    public sealed record TypeSyntax(string Name, int ListDepth, TextSpan Span) : SyntaxNode(Span);

    // ---------------------------------------------------------------- expressions

    public abstract record ExprSyntax(TextSpan Span) : SyntaxNode(Span);

    public sealed record IntLiteral(long Value, TextSpan Span) : ExprSyntax(Span);
    public sealed record FloatLiteral(double Value, string Text, TextSpan Span) : ExprSyntax(Span);
    public sealed record BoolLiteral(bool Value, TextSpan Span) : ExprSyntax(Span);
    public sealed record StringLiteral(string Value, TextSpan Span) : ExprSyntax(Span);
    public sealed record NameExpr(string Name, TextSpan Span) : ExprSyntax(Span);
    public sealed record ListExpr(ImmutableArray<ExprSyntax> Items, TextSpan Span) : ExprSyntax(Span);
    public sealed record UnaryExpr(string Op, ExprSyntax Operand, TextSpan Span) : ExprSyntax(Span);
    public sealed record BinaryExpr(string Op, ExprSyntax Left, ExprSyntax Right, TextSpan Span) : ExprSyntax(Span);
    public sealed record ConditionalExpr(ExprSyntax Condition, ExprSyntax WhenTrue, ExprSyntax WhenFalse, TextSpan Span) : ExprSyntax(Span);
    public sealed record IndexExpr(ExprSyntax Target, ExprSyntax Index, TextSpan Span) : ExprSyntax(Span);
    /// <summary><c>a..b</c>: the integers a, a+1, …, b-1.</summary>
    public sealed record RangeExpr(ExprSyntax From, ExprSyntax To, TextSpan Span) : ExprSyntax(Span);

    /// <summary><c>[item for x in source if filter]</c>: a list built at construction time; the source is a list or a
    /// range <c>a..b</c> (<see cref="RangeExpr"/>).</summary>
    public sealed record ComprehensionExpr(ExprSyntax Item, string Variable, TextSpan VariableSpan, ExprSyntax Source, ExprSyntax? Filter, TextSpan Span) : ExprSyntax(Span);

    /// <summary>A call: a builtin function, a layer or a block. <see cref="HasParens"/> is false for a bare name used as a layer.</summary>
    public sealed record CallExpr(string Callee, TextSpan CalleeSpan, ImmutableArray<ArgumentSyntax> Arguments, TextSpan Span) : ExprSyntax(Span);

    /// <summary><c>@name</c>: the module declared as <c>name</c> earlier in the same definition, applied again with the same weights.</summary>
    public sealed record SharedRefExpr(string Name, TextSpan Span) : ExprSyntax(Span);

    /// <summary><c>@w{j}_{i}</c>: a shared module whose name is interpolated; it names the module declared under the
    /// same interpolated name (<c>w{j}_{i}: conv(…)</c>) earlier in the definition.</summary>
    public sealed record IndexedSharedRefExpr(NameSpec Name, TextSpan Span) : ExprSyntax(Span);

    /// <summary><c>x{j}</c> (no space before <c>{</c>): the tensor bound under that interpolated name.</summary>
    public sealed record IndexedNameExpr(NameSpec Name, TextSpan Span) : ExprSyntax(Span);

    /// <summary><c>source |> stage |> stage</c>: a tensor run through module statements.</summary>
    public sealed record PipeExpr(ExprSyntax Source, ImmutableArray<StatementSyntax> Stages, TextSpan Span) : ExprSyntax(Span);

    public sealed record ArgumentSyntax(string? Name, ExprSyntax Value, TextSpan Span) : SyntaxNode(Span);

    // ---------------------------------------------------------------- names

    /// <summary>One piece of a module name: literal text or an interpolated <c>{expression}</c>.</summary>
    public sealed record NamePart(string? Text, ExprSyntax? Expression, TextSpan Span) : SyntaxNode(Span);

    /// <summary>A module name, <c>conv1</c> or <c>layer{i+1}</c>.</summary>
    public sealed record NameSpec(ImmutableArray<NamePart> Parts, TextSpan Span) : SyntaxNode(Span)
    {
        public bool IsStatic => Parts.Length == 1 && Parts[0].Text != null;
        public string? StaticText => IsStatic ? Parts[0].Text : null;
    }

    // ---------------------------------------------------------------- statements

    public abstract record StatementSyntax(TextSpan Span) : SyntaxNode(Span);

    public sealed record BodySyntax(ImmutableArray<StatementSyntax> Statements, TextSpan Span) : SyntaxNode(Span);

    /// <summary><c>name: statement</c>. On a module application it names the module; on anything else it
    /// makes a sub-container (a Sequential) holding what the statement creates.</summary>
    public sealed record LabeledStmt(NameSpec Name, StatementSyntax Statement, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>let name = expression</c>: a construction-time scalar.</summary>
    public sealed record LetStmt(string Name, TextSpan NameSpan, ExprSyntax Value, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>input 3x224x224</c> or <c>input [3, r, r]</c>: a network's declared input (channels, height, width).</summary>
    public sealed record InputStmt(ImmutableArray<ExprSyntax> Dimensions, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>name = tensor expression</c>: binds a tensor without changing the current one.</summary>
    public sealed record AssignStmt(string Name, TextSpan NameSpan, ExprSyntax Value, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>output name</c> (the current tensor) or <c>output name = tensor expression</c>: a named output of the
    /// network, computed on every forward and returned beside the main output; <c>name</c> is bound to it as a tensor.</summary>
    public sealed record OutputStmt(string Name, TextSpan NameSpan, ExprSyntax? Value, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>x{i} = tensor expression</c>: binds a tensor under an interpolated name, visible to the end of the
    /// definition (so a loop can build x1 … xn for the statements after it).</summary>
    public sealed record IndexedAssignStmt(NameSpec Name, ExprSyntax Value, TextSpan Span) : StatementSyntax(Span);

    /// <summary>A module application (<c>conv(64, 3)</c>, <c>relu</c>, <c>Block(…)</c>, <c>@conv1</c>) or an
    /// element-wise tensor expression (<c>input * s</c>) replacing the current tensor.</summary>
    public sealed record ExprStmt(ExprSyntax Expression, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>{ … }</c>: a group of statements.</summary>
    public sealed record GroupStmt(BodySyntax Body, TextSpan Span) : StatementSyntax(Span);

    public sealed record IfStmt(ExprSyntax Condition, BodySyntax Then, StatementSyntax? Else, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>repeat n [as i] { … }</c>.</summary>
    public sealed record RepeatStmt(ExprSyntax Count, string? Variable, TextSpan VariableSpan, BodySyntax Body, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>for x in list { … }</c> or <c>for i in a..b { … }</c>.</summary>
    public sealed record ForStmt(string Variable, TextSpan VariableSpan, ExprSyntax Source, BodySyntax Body, TextSpan Span) : StatementSyntax(Span);

    public enum ShortcutKind { Identity, Projection, ZeroPad }

    /// <summary><c>shortcut [name] [when cond] { … }</c> (projection when cond holds, identity otherwise) or
    /// <c>shortcut zeropad [when cond] [{ … }]</c> (the optional body, e.g. a pooling, then zero channels appended).</summary>
    public sealed record ShortcutSyntax(ShortcutKind Kind, NameSpec? Name, ExprSyntax? Condition, BodySyntax? Body, TextSpan Span) : SyntaxNode(Span);

    /// <summary><c>residual [when cond] { body } [shortcut …]</c>: output = body(x) + shortcut(x). With
    /// <see cref="ShortcutFirst"/> the clause is written before the body (<c>residual shortcut proj { … } { body }</c>)
    /// and its modules are registered before the body's, as networks that create their projection first do.</summary>
    public sealed record ResidualStmt(ExprSyntax? Condition, BodySyntax Body, ShortcutSyntax? Shortcut, TextSpan Span, bool ShortcutFirst = false) : StatementSyntax(Span);

    public enum MergeKind { Concat, Add, Mul }

    /// <summary><c>concat { … }</c>, <c>add { … }</c>, <c>mul { … }</c>: each statement is a branch on the same input.</summary>
    public sealed record MergeStmt(MergeKind Kind, BodySyntax Branches, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>split { … }</c>: the input's channels in equal chunks, one statement per chunk, outputs concatenated.</summary>
    public sealed record SplitStmt(BodySyntax Branches, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>dense repeat n as i { … }</c>: each iteration sees the concatenation of everything before it.</summary>
    public sealed record DenseStmt(RepeatStmt Loop, TextSpan Span) : StatementSyntax(Span);

    /// <summary><c>[name:] aux statement</c>: a training-time auxiliary output computed from the current tensor,
    /// which itself flows on unchanged. A label names the statement's module, as without <c>aux</c>.</summary>
    public sealed record AuxStmt(StatementSyntax Body, TextSpan Span) : StatementSyntax(Span);

    /// <summary>What the parser made of text it could not read; the message says what was expected.</summary>
    public sealed record ErrorStmt(string Expected, TextSpan Span) : StatementSyntax(Span);

    // ---------------------------------------------------------------- declarations

    public abstract record DeclarationSyntax(TextSpan Span) : SyntaxNode(Span);

    public sealed record ImportDecl(string Path, TextSpan PathSpan, TextSpan Span) : DeclarationSyntax(Span);

    public sealed record ParameterSyntax(string Name, TextSpan NameSpan, TypeSyntax Type, ExprSyntax? Default, TextSpan Span) : SyntaxNode(Span);

    public enum DefinitionKind { Block, Network }

    /// <summary><c>block Name(params) { … }</c> or <c>network Name(params) { input …; … }</c>.</summary>
    public sealed record DefinitionDecl(DefinitionKind Kind, string Name, TextSpan NameSpan, ImmutableArray<ParameterSyntax> Parameters,
        BodySyntax Body, string? Documentation, TextSpan Span) : DeclarationSyntax(Span);

    /// <summary><c>variant Name = Network(args) [reference "ctor(kwargs)"] [data preset(args)]</c>.</summary>
    public sealed record VariantDecl(string Name, TextSpan NameSpan, string Target, TextSpan TargetSpan, ImmutableArray<ArgumentSyntax> Arguments,
        string? Reference, string? Documentation, TextSpan Span) : DeclarationSyntax(Span)
    {
        /// <summary>How the variant's input images are prepared (<c>data imagenet(resize: 342)</c>), when declared.</summary>
        public DataClause? Data { get; init; }
    }

    /// <summary><c>data [preset] [(args)]</c> after a variant: a preset's name (<c>imagenet</c>) and arguments that
    /// set or override its fields (resize, mean, std, interpolation). At least one of the two is present.</summary>
    public sealed record DataClause(string? Preset, TextSpan PresetSpan, ImmutableArray<ArgumentSyntax> Arguments, TextSpan Span) : SyntaxNode(Span);

    public sealed record ErrorDecl(string Expected, TextSpan Span) : DeclarationSyntax(Span);

    public sealed record CompilationUnit(ImmutableArray<DeclarationSyntax> Declarations, TextSpan Span) : SyntaxNode(Span);
}
