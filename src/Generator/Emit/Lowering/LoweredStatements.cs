using System.Collections.Immutable;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.Lowering
{
    // The lowered form of a body statement: what it becomes in a generated module class, decided once for every
    // target (the C# printer, ModuleEmitter, and the Python printer, PythonModuleEmitter, read these and only spell
    // them). Nested bodies stay statements; each printer lowers them in turn as it reaches them, in its own scope.

    /// <summary>A body statement, lowered. <see cref="Syntax"/> locates it.</summary>
    internal abstract record LoweredStatement(SyntaxNode Syntax);

    /// <summary>A statement the generated code cannot express; the printer reports it at its place in the body, so
    /// diagnostics keep the order of the text.</summary>
    internal sealed record Unsupported(SyntaxNode Syntax, string What) : LoweredStatement(Syntax);

    /// <summary><c>let name = value</c>: a constructor local.</summary>
    internal sealed record LoweredLet(LetStmt Let) : LoweredStatement(Let);

    /// <summary><c>choice(p: [...])</c>: the constructor checks an argument against its allowed values.</summary>
    internal sealed record ChoiceCheck(StatementSyntax Statement, string Parameter, ExprSyntax Allowed) : LoweredStatement(Statement);

    /// <summary>A statement that emits nothing (<c>slimmable(...)</c>, which the layer factory reads).</summary>
    internal sealed record NoCode(StatementSyntax Statement) : LoweredStatement(Statement);

    /// <summary>What an application creates: a primitive layer, a learnable tensor of the module itself, a block's
    /// class, or the block a block-valued parameter holds.</summary>
    internal enum ApplicationKind { Layer, Learnable, Block, BlockValue }

    /// <summary>A layer or block applied to the current tensor, registered under <see cref="Label"/> (or its own name).</summary>
    internal sealed record Application(StatementSyntax Statement, ExprSyntax Call, NameSpec? Label, ApplicationKind Kind) : LoweredStatement(Statement);

    /// <summary><c>name: aux statement</c> in a network's own body: a training-time head beside the main output.</summary>
    internal sealed record AuxOutput(LabeledStmt Labeled, AuxStmt Aux) : LoweredStatement(Labeled);

    /// <summary><c>output name [= value]</c> in a network's own body: a tensor the class returns beside the main
    /// output on every call (<see cref="Value"/> null: the current tensor).</summary>
    internal sealed record NamedOutput(OutputStmt Output, LoweredTensor? Value) : LoweredStatement(Output);

    /// <summary><c>name: statement</c> holding more than one application: a Sequential when the statement is a chain
    /// of modules, otherwise a nested module class built with the scalars in scope among <see cref="NamesUsed"/>.</summary>
    internal sealed record Container(LabeledStmt Labeled, bool Sequential, ImmutableHashSet<string> NamesUsed) : LoweredStatement(Labeled);

    /// <summary><c>@name</c>: a layer declared earlier in the body applied again.</summary>
    internal sealed record SharedApplication(StatementSyntax Statement, SharedRefExpr Reference) : LoweredStatement(Statement);

    /// <summary>A tensor expression that becomes the current tensor.</summary>
    internal sealed record TensorStatement(StatementSyntax Statement, LoweredTensor Value) : LoweredStatement(Statement);

    /// <summary><c>name = tensor expression</c>: a named tensor later expressions read.</summary>
    internal sealed record TensorBinding(AssignStmt Assign, LoweredTensor Value) : LoweredStatement(Assign);

    /// <summary><c>{ … }</c>: statements in a scope of their own.</summary>
    internal sealed record Group(GroupStmt Block) : LoweredStatement(Block);

    /// <summary>An <c>if</c> / <c>else if</c> chain, its branches in order, and the statement of a final <c>else</c>.</summary>
    internal sealed record Conditional(IfStmt If, ImmutableArray<IfBranch> Branches, StatementSyntax? Else) : LoweredStatement(If);

    /// <summary>One <c>if</c> or <c>else if</c> of a <see cref="Conditional"/>.</summary>
    internal sealed record IfBranch(ExprSyntax Condition, BodySyntax Then);

    /// <summary>How a loop's iterations are built: modules collected into a list the forward runs in order (a body
    /// that chains modules), or one nested module class per iteration (a body with residuals, merges or tensor
    /// expressions) built with the scalars in scope among <see cref="Loop.NamesUsed"/>.</summary>
    internal enum LoopForm { ModuleList, IterationClasses }

    /// <summary>A <c>repeat</c> or <c>for</c> loop.</summary>
    internal sealed record Loop(StatementSyntax Statement, BodySyntax Body, LoopForm Form, ImmutableHashSet<string> NamesUsed) : LoweredStatement(Statement);

    /// <summary><c>residual [when c] { body } [shortcut …]</c>: the body's output plus the shortcut's.
    /// <see cref="SumsInPlace"/>: the shortcut is added into the body's result (<c>out += identity</c>), which every
    /// network of the file lets it overwrite (<see cref="Analysis.InPlaceSites.ResidualSums"/>); otherwise the sum is a
    /// new tensor whenever autograd records it.</summary>
    internal sealed record Residual(ResidualStmt Statement, ExprSyntax? Condition, ImmutableArray<StatementSyntax> Body,
        bool ShortcutFirst, Shortcut Shortcut, bool SumsInPlace) : LoweredStatement(Statement);

    /// <summary>How a residual's shortcut is built: nothing (the identity), a registered Sequential under a name, or
    /// modules the owner runs from a list.</summary>
    internal enum ShortcutForm { Identity, Sequential, List }

    /// <summary>A residual's shortcut. <see cref="Body"/> holds the statements of a Sequential or list form;
    /// <see cref="Unsupported"/> is reported where the shortcut's modules would be built; <see cref="ZeroPad"/>
    /// appends zero channels to match the body's output.</summary>
    internal sealed record Shortcut(ShortcutForm Form, ExprSyntax? Condition, NameSpec? Name, BodySyntax? Body,
        bool ZeroPad, Unsupported? Unsupported);

    internal enum MergeOp { Concat, Add, Mul }

    /// <summary><c>concat / add / mul { … }</c> (each branch on the same input) or <c>split { … }</c> (each branch on
    /// its share of the input's channels, outputs concatenated).</summary>
    internal sealed record Merge(StatementSyntax Statement, ImmutableArray<StatementSyntax> Branches, MergeOp Op, bool Split) : LoweredStatement(Statement);

    /// <summary><c>dense repeat n as i { chain }</c>: each iteration's chain reads the concatenation of all before it.</summary>
    internal sealed record Dense(DenseStmt Statement, RepeatStmt Loop) : LoweredStatement(Statement);
}
