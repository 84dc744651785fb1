using System;
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit
{
    /// <summary>An .arch name visible in generated code: a C# local (scalars) or, for tensors, the pair of
    /// C# locals holding its shape (constructor) and its value (forward).</summary>
    internal sealed record CsLocal(string ArchName, string CsName, ArchType Type, string? ShapeVar = null, string? TensorVar = null);

    /// <summary>The .arch names visible at a point of the generated code.</summary>
    internal sealed class CsScope
    {
        private readonly ScopeChain<CsLocal> _locals;
        public CsScope(CsScope? parent) { _locals = new ScopeChain<CsLocal>(parent?._locals); }
        public CsLocal? Lookup(string name) => _locals.Lookup(name);
        public void Add(CsLocal local) => _locals.Declare(local.ArchName, local);

        /// <summary>Every visible scalar, ordered by name.</summary>
        public List<CsLocal> Visible() =>
            _locals.Visible().Values.Where(l => l.Type.Kind != TypeKind.Tensor).OrderBy(l => l.ArchName, StringComparer.Ordinal).ToList();
    }

    /// <summary>Unique C# names within one member. Each wanted name remembers the suffix it reached, so n requests
    /// for the same name cost O(n) in all, not O(n^2) (a 50,000-stage pipeline asked for <c>_m</c> 50,000 times).</summary>
    internal sealed class NameAllocator
    {
        private readonly HashSet<string> _used;
        private readonly Dictionary<string, int> _next = new Dictionary<string, int>(StringComparer.Ordinal);
        public NameAllocator(IEnumerable<string>? reserved = null) { _used = new HashSet<string>(reserved ?? Enumerable.Empty<string>(), StringComparer.Ordinal); }

        public string Fresh(string wanted)
        {
            var name = wanted;
            _next.TryGetValue(wanted, out int i);
            if (i == 0) i = 1;
            while (!_used.Add(name)) name = wanted + (i++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _next[wanted] = i;
            return name;
        }
    }

    /// <summary>Translates .arch scalar expressions to C# with the language's semantics (floor division on ints,
    /// Python rounding, torchvision's make_divisible) through ArchDsl.Runtime.ArchMath.</summary>
    internal sealed class ExpressionEmitter
    {
        private readonly BoundProgram _program;
        private readonly string _blocksEnum;
        private readonly string _namespace;

        public ExpressionEmitter(BoundProgram program, string blocksEnum, string rootNamespace = "ArchDsl.Generated")
        {
            _program = program;
            _blocksEnum = blocksEnum;
            _namespace = rootNamespace;
        }

        public string BlocksEnum => _blocksEnum;

        /// <summary>A block's class, fully qualified: its file's blocks namespace, so the same block name in two
        /// files (and a block named like a namespace part) never clashes.</summary>
        public string BlockClass(DefinitionSymbol block) =>
            "global::" + Naming.BlocksNamespace(_namespace, block.File.Path) + "." + ClassEmitter.TypeName(block.Name);

        /// <summary>The enum of block values that <paramref name="definition"/>'s parameters take: its own file's.</summary>
        public string BlocksEnumOf(DefinitionSymbol definition)
        {
            var name = Naming.Pascal(Naming.FileStem(definition.File.Path)) + "Blocks";
            return name == _blocksEnum ? name : "global::" + _namespace + "." + name;
        }

        /// <summary>A block-valued argument for a parameter of <paramref name="callee"/>, a block of another file
        /// when its enum differs from this file's: a named block becomes that file's member, any other value is
        /// converted by member name (both enums name blocks by their .arch names).</summary>
        public string BlockValueFor(DefinitionSymbol callee, ExprSyntax value, string emitted, CsScope scope)
        {
            var target = BlocksEnumOf(callee);
            if (target == _blocksEnum) return emitted;
            if (value is NameExpr n && scope.Lookup(n.Name) == null && _program.Definitions.ContainsKey(n.Name))
                return target + "." + Naming.Identifier(n.Name);
            return "System.Enum.Parse<" + target + ">(" + emitted + ".ToString())";
        }

        public string CsType(ArchType t) => t.Kind switch
        {
            TypeKind.Int => "long",
            TypeKind.Float => "double",
            TypeKind.Bool => "bool",
            TypeKind.String => "string",
            TypeKind.Block => _blocksEnum,
            TypeKind.List => CsType(t.Element!) + "[]",
            _ => "object",
        };

        public ArchType TypeOf(ExprSyntax e) => _program.TypeOf(e);

        /// <summary>The expression as an argument of a long or double parameter: an int literal plain (the parameter
        /// makes it a long), anything else as <see cref="Emit"/> writes it.</summary>
        public string EmitArgument(ExprSyntax e, CsScope scope, string shapeVar, ArchType? target = null) =>
            e is IntLiteral i && (target == null || target.Kind != TypeKind.Float) ? Naming.LongArgument(i.Value) : Emit(e, scope, shapeVar, target);

        /// <summary>The expression as C#, converted to <paramref name="target"/> when that is float and the value an int.</summary>
        public string Emit(ExprSyntax e, CsScope scope, string shapeVar, ArchType? target = null)
        {
            var text = EmitCore(e, scope, shapeVar);
            if (target != null && target.Kind == TypeKind.Float && TypeOf(e).Kind == TypeKind.Int) return "(double)" + text;
            return text;
        }

        private string D(ExprSyntax e, CsScope scope, string shapeVar) => "(double)" + EmitCore(e, scope, shapeVar);

        private string EmitCore(ExprSyntax e, CsScope scope, string shapeVar)
        {
            switch (e)
            {
                case IntLiteral i: return Naming.Long(i.Value);
                case FloatLiteral f: return Naming.Double(f.Value);
                case BoolLiteral b: return Naming.Bool(b.Value);
                case StringLiteral s: return Naming.StringLiteral(s.Value);
                case NameExpr n:
                {
                    var local = scope.Lookup(n.Name);
                    if (local != null) return local.CsName;
                    switch (n.Name)
                    {
                        case "in_channels": return shapeVar + ".Channels";
                        case "in_height": return shapeVar + ".Height";
                        case "in_width": return shapeVar + ".Width";
                    }
                    if (_program.Definitions.ContainsKey(n.Name)) return _blocksEnum + "." + Naming.Identifier(n.Name);
                    return "default";
                }
                case ListExpr l:
                {
                    var t = TypeOf(l);
                    var elem = t.Kind == TypeKind.List ? t.Element! : ArchType.Int;
                    if (l.Items.Length == 0) return "System.Array.Empty<" + CsType(elem) + ">()";
                    return "new " + CsType(elem) + "[] { " + string.Join(", ", l.Items.Select(item => EmitArgument(item, scope, shapeVar, elem))) + " }";
                }
                case UnaryExpr u:
                    // An int's negation is checked (-long.MinValue is not a long); a literal's is a constant.
                    if (u.Op == "-" && !(u.Operand is IntLiteral) && TypeOf(u.Operand).Kind == TypeKind.Int)
                        return "ArchMath.Negate(" + EmitCore(u.Operand, scope, shapeVar) + ")";
                    return "(" + u.Op + EmitCore(u.Operand, scope, shapeVar) + ")";
                case BinaryExpr b: return Binary(b, scope, shapeVar);
                case ConditionalExpr c:
                {
                    var t = TypeOf(c);
                    return "(" + EmitCore(c.Condition, scope, shapeVar) + " ? " + Emit(c.WhenTrue, scope, shapeVar, t) + " : " + Emit(c.WhenFalse, scope, shapeVar, t) + ")";
                }
                case IndexExpr ix:
                    if (ix.Index is IntLiteral at && at.Value <= int.MaxValue)
                        return EmitCore(ix.Target, scope, shapeVar) + "[" + at.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
                    return EmitCore(ix.Target, scope, shapeVar) + "[checked((int)" + EmitCore(ix.Index, scope, shapeVar) + ")]";
                case CallExpr call: return Call(call, scope, shapeVar);
                case ComprehensionExpr co: return Comprehension(co, scope, shapeVar);
            }
            return "default";
        }

        private int _lambdas;

        /// <summary><c>[item for v in source if filter]</c> as a LINQ Select (and Where) over the source array; the
        /// lambda's parameter has a name of its own, so it never clashes with a local of the enclosing member.</summary>
        private string Comprehension(ComprehensionExpr co, CsScope scope, string shapeVar)
        {
            string source;
            ArchType sourceElement;
            if (co.Source is RangeExpr range)
            {
                source = "ArchMath.Range(" + EmitCore(range.From, scope, shapeVar) + ", " + EmitCore(range.To, scope, shapeVar) + ")";
                sourceElement = ArchType.Int;
            }
            else
            {
                source = EmitCore(co.Source, scope, shapeVar);
                sourceElement = TypeOf(co.Source).Element ?? ArchType.Error;
            }
            var v = "__" + Naming.Identifier(co.Variable) + (++_lambdas).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var inner = new CsScope(scope);
            inner.Add(new CsLocal(co.Variable, v, sourceElement));
            var parameter = "(" + CsType(sourceElement) + " " + v + ") => ";
            if (co.Filter != null) source = "System.Linq.Enumerable.Where(" + source + ", " + parameter + EmitCore(co.Filter, inner, shapeVar) + ")";
            var element = TypeOf(co).Element ?? ArchType.Int;
            return "System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(" + source + ", " + parameter + Emit(co.Item, inner, shapeVar, element) + "))";
        }

        private string Binary(BinaryExpr b, CsScope scope, string shapeVar)
        {
            var lt = TypeOf(b.Left);
            var rt = TypeOf(b.Right);
            bool ints = lt.Kind == TypeKind.Int && rt.Kind == TypeKind.Int;
            // Between ints every operand is a long (an ArchMath parameter, or a comparison with a long), so a literal
            // is written plain; where both are literals, both are int constants, which compare as the longs would.
            string l = ints ? EmitArgument(b.Left, scope, shapeVar) : EmitCore(b.Left, scope, shapeVar);
            string r = ints ? EmitArgument(b.Right, scope, shapeVar) : EmitCore(b.Right, scope, shapeVar);
            switch (b.Op)
            {
                case "/": return ints ? "ArchMath.FloorDiv(" + l + ", " + r + ")" : "((double)" + l + " / " + r + ")";
                case "%": return ints ? "ArchMath.FloorMod(" + l + ", " + r + ")" : "ArchMath.FloorMod((double)" + l + ", (double)" + r + ")";
                case "^": return ints ? "ArchMath.Pow(" + l + ", " + r + ")" : "System.Math.Pow(" + l + ", " + r + ")";
                // Int sums, differences and products through the front end's own checked functions: a value known
                // only at run time (a constructor argument) overflows as an exception naming the operands, never wraps.
                case "+" when ints: return "ArchMath.Add(" + l + ", " + r + ")";
                case "-" when ints: return "ArchMath.Subtract(" + l + ", " + r + ")";
                case "*" when ints: return "ArchMath.Multiply(" + l + ", " + r + ")";
                case "==":
                case "!=":
                    if (lt.Kind == TypeKind.List)
                        return "(" + (b.Op == "!=" ? "!" : "") + "System.Linq.Enumerable.SequenceEqual(" + l + ", " + r + "))";
                    return "(" + l + " " + b.Op + " " + r + ")";
                default:
                    return "(" + l + " " + b.Op + " " + r + ")";
            }
        }

        private string Call(CallExpr call, CsScope scope, string shapeVar)
        {
            var args = call.Arguments.Select(a => a.Value).ToList();
            var resultType = TypeOf(call);
            switch (call.Callee)
            {
                case "make_divisible":
                    return "ArchMath.MakeDivisible(" + D(args[0], scope, shapeVar) + ", " + EmitCore(args[1], scope, shapeVar)
                        + (args.Count > 2 ? ", " + EmitCore(args[2], scope, shapeVar) : "") + ")";
                case "round": return "ArchMath.Round(" + D(args[0], scope, shapeVar) + ")";
                case "ceil": return "ArchMath.ToLong(System.Math.Ceiling(" + D(args[0], scope, shapeVar) + "))";
                case "floor": return "ArchMath.ToLong(System.Math.Floor(" + D(args[0], scope, shapeVar) + "))";
                case "int":
                    return TypeOf(args[0]).Kind == TypeKind.Int ? EmitCore(args[0], scope, shapeVar) : "ArchMath.ToLong(" + D(args[0], scope, shapeVar) + ")";
                case "float": return D(args[0], scope, shapeVar);
                case "abs": return (TypeOf(args[0]).Kind == TypeKind.Int ? "ArchMath.Abs(" : "System.Math.Abs(") + EmitCore(args[0], scope, shapeVar) + ")";
                case "len": return "((long)" + EmitCore(args[0], scope, shapeVar) + ".Length)";
                case "log":
                    return args.Count > 1
                        ? "ArchMath.Log(" + D(args[0], scope, shapeVar) + ", " + D(args[1], scope, shapeVar) + ")"
                        : "System.Math.Log(" + D(args[0], scope, shapeVar) + ")";
                case "exp": return "System.Math.Exp(" + D(args[0], scope, shapeVar) + ")";
                case "sqrt": return "System.Math.Sqrt(" + D(args[0], scope, shapeVar) + ")";
                case "sum": return "ArchMath.Sum(" + EmitCore(args[0], scope, shapeVar) + ")";
                case "cumsum": return "ArchMath.CumulativeSum(" + EmitCore(args[0], scope, shapeVar) + ")";
                case "min":
                case "max":
                {
                    var parts = args.Select(a => Emit(a, scope, shapeVar, resultType)).ToList();
                    var text = parts[0];
                    // Ints compare as ints (ArchMath's, as the front end), floats through System.Math.
                    var owner = resultType.Kind == TypeKind.Int ? "ArchMath." : "System.Math.";
                    for (int i = 1; i < parts.Count; i++) text = owner + (call.Callee == "min" ? "Min" : "Max") + "(" + text + ", " + parts[i] + ")";
                    return text;
                }
            }
            return "default";
        }

        /// <summary>A C# constant for a parameter default, or null when the default is not a literal.</summary>
        public string? Constant(ExprSyntax e, ArchType type)
        {
            switch (e)
            {
                case IntLiteral i: return type.Kind == TypeKind.Float ? Naming.Double(i.Value) : Naming.LongArgument(i.Value);
                case FloatLiteral f: return Naming.Double(f.Value);
                case BoolLiteral b: return Naming.Bool(b.Value);
                case StringLiteral s: return Naming.StringLiteral(s.Value);
                case UnaryExpr u when u.Op == "-" && u.Operand is IntLiteral ui: return type.Kind == TypeKind.Float ? Naming.Double(-ui.Value) : Naming.LongArgument(-ui.Value);
                case UnaryExpr u when u.Op == "-" && u.Operand is FloatLiteral uf: return Naming.Double(-uf.Value);
                case NameExpr n when type.Kind == TypeKind.Block && _program.Definitions.ContainsKey(n.Name):
                    return _blocksEnum + "." + Naming.Identifier(n.Name);
            }
            return null;
        }
    }
}
