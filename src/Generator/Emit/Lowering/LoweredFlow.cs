using System.Collections.Immutable;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.Lowering
{
    // The dataflow form (a body that names tensors by index): each statement lowered to what its constructor
    // records, a step over a table of named tensors or control flow around such steps. The records that the
    // explicit form shares (LoweredLet, TensorBinding, TensorStatement, Group, Unsupported) keep their meaning.

    /// <summary>A chain of layers and blocks built into a list and applied as one step.</summary>
    internal sealed record FlowChain(StatementSyntax Statement) : LoweredStatement(Statement);

    /// <summary><c>name: layer(...)</c>: a chain step whose layer is remembered, with its shapes, for re-application.</summary>
    internal sealed record FlowSharableLayer(LabeledStmt Labeled) : LoweredStatement(Labeled);

    /// <summary><c>@name</c> or <c>@w{j}_{i}</c>: a remembered layer applied again. Exactly one of the names is set.</summary>
    internal sealed record FlowReapply(StatementSyntax Statement, string? Name, NameSpec? IndexedName) : LoweredStatement(Statement);

    /// <summary><c>x{i} = tensor expression</c>: an entry of the tensor table under a computed name.</summary>
    internal sealed record FlowIndexedBinding(IndexedAssignStmt Assign, LoweredTensor Value) : LoweredStatement(Assign);

    /// <summary>A conditional whose branches are more than chains: each branch's statements are lowered in turn.</summary>
    internal sealed record FlowConditional(IfStmt If) : LoweredStatement(If);

    /// <summary>A loop whose body is more than a chain.</summary>
    internal sealed record FlowLoop(StatementSyntax Statement, BodySyntax Body) : LoweredStatement(Statement);

    /// <summary>A merge in the dataflow form: every branch (a loop's every iteration) runs on the merge's input.</summary>
    internal sealed record FlowMerge(MergeStmt Statement, ImmutableArray<FlowBranch> Branches, MergeOp Op) : LoweredStatement(Statement);

    /// <summary>One branch of a <see cref="FlowMerge"/>: a single statement, or a loop (<see cref="Loop"/>) whose
    /// iterations are branches each.</summary>
    internal sealed record FlowBranch(StatementSyntax? Loop, ImmutableArray<StatementSyntax> Body);
}
