// Binder: the types of expressions, operators and built-in calls.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Binding
{
    public sealed partial class Binder
    {
        // ------------------------------------------------------------ expressions

        private static int LineOf(Context ctx, TextSpan span)
        {
            var text = ctx.File.Text;
            int line = 1;
            for (int k = 0; k < span.Start && k < text.Length; k++) if (text[k] == '\n') line++;
            return line;
        }

        /// <summary>The type of the items a loop or comprehension runs over: a list's element, or int for a range a..b.</summary>
        private ArchType LoopElement(ExprSyntax source, ScopeChain<Local> scope, Context ctx, string who)
        {
            if (source is RangeExpr range)
            {
                Expect(range.From, ArchType.Int, scope, ctx, "A range bound");
                Expect(range.To, ArchType.Int, scope, ctx, "A range bound");
                _types[range] = ArchType.ListOf(ArchType.Int);
                return ArchType.Int;
            }
            var t = Infer(source, scope, ctx);
            if (t.Kind == TypeKind.List) return t.Element!;
            if (!t.IsError)
                _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, source.Span, who + " a list or a range a..b, not " + t);
            return ArchType.Error;
        }

        /// <summary>A comprehension's type: a list of its item's type; the variable is bound in a scope of its own.</summary>
        private ArchType InferComprehension(ComprehensionExpr co, ScopeChain<Local> scope, Context ctx)
        {
            var element = LoopElement(co.Source, scope, ctx, "A comprehension needs");
            var inner = new ScopeChain<Local>(scope);
            Declare(inner, new Local(co.Variable, LocalKind.Loop, element, co.VariableSpan), ctx);
            if (co.Filter != null) Expect(co.Filter, ArchType.Bool, inner, ctx, "A comprehension's 'if'");
            var item = Infer(co.Item, inner, ctx);
            if (item.IsError) return ArchType.Error;
            if (item.Kind == TypeKind.Tensor) return Mismatch(co.Item, "A list holds scalars, not tensors", ctx);
            return ArchType.ListOf(item);
        }

        private void Expect(ExprSyntax e, ArchType expected, ScopeChain<Local> scope, Context ctx, string what)
        {
            var t = Infer(e, scope, ctx);
            if (!expected.Accepts(t))
                _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, e.Span, what + " must be " + expected + ", not " + t);
        }

        private ArchType Infer(ExprSyntax e, ScopeChain<Local> scope, Context ctx, HashSet<string>? container = null)
        {
            var t = InferCore(e, scope, ctx, container);
            _types[e] = t;
            return t;
        }

        private ArchType InferCore(ExprSyntax e, ScopeChain<Local> scope, Context ctx, HashSet<string>? container)
        {
            switch (e)
            {
                case IntLiteral _: return ArchType.Int;
                case FloatLiteral _: return ArchType.Float;
                case BoolLiteral _: return ArchType.Bool;
                case StringLiteral _: return ArchType.String;
                case NameExpr n:
                {
                    var local = scope.Lookup(n.Name);
                    if (local != null) { local.Used = true; return local.Type; }
                    if (n.Name == Builtins.Input) return ArchType.Tensor;
                    if (Builtins.Values.Contains(n.Name)) return ArchType.Int;
                    if (_definitions.TryGetValue(n.Name, out var def))
                    {
                        Use(ctx, def);
                        return ArchType.Block;
                    }
                    if (Primitives.Find(n.Name) != null)
                    {
                        _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, n.Span,
                            "'" + n.Name + "' is a layer; apply it as a statement or as a pipeline stage (x |> " + n.Name + ")");
                        return ArchType.Error;
                    }
                    _diagnostics.Report(DiagnosticCatalogue.UnknownName, ctx.Path, n.Span, n.Name);
                    return ArchType.Error;
                }
                case ListExpr list:
                {
                    ArchType? element = null;
                    foreach (var item in list.Items)
                    {
                        var t = Infer(item, scope, ctx);
                        var u = element == null ? t : ArchType.Unify(element, t);
                        if (u == null)
                        {
                            _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, item.Span, "List items must share a type: " + element + " and " + t);
                            u = ArchType.Error;
                        }
                        element = u;
                    }
                    return ArchType.ListOf(element ?? ArchType.Int);
                }
                case UnaryExpr u:
                {
                    var t = Infer(u.Operand, scope, ctx);
                    if (t.IsError) return t;
                    if (u.Op == "!")
                    {
                        if (t.Kind != TypeKind.Bool) return Mismatch(u, "'!' needs a bool, not " + t, ctx);
                        return ArchType.Bool;
                    }
                    if (t.IsNumeric || t.Kind == TypeKind.Tensor) return t;
                    return Mismatch(u, "'-' needs a number, not " + t, ctx);
                }
                case BinaryExpr b: return InferBinary(b, scope, ctx, container);
                case ConditionalExpr c:
                {
                    Expect(c.Condition, ArchType.Bool, scope, ctx, "A condition");
                    var a = Infer(c.WhenTrue, scope, ctx);
                    var bt = Infer(c.WhenFalse, scope, ctx);
                    var u = ArchType.Unify(a, bt);
                    if (u == null) return Mismatch(c, "Both branches of '?:' must have the same type: " + a + " and " + bt, ctx);
                    if (u.Kind == TypeKind.Tensor) return Mismatch(c, "'?:' chooses between scalars; choose between tensors with 'if'", ctx);
                    return u;
                }
                case IndexExpr ix:
                {
                    var target = Infer(ix.Target, scope, ctx);
                    Expect(ix.Index, ArchType.Int, scope, ctx, "An index");
                    if (target.IsError) return ArchType.Error;
                    if (target.Kind != TypeKind.List) return Mismatch(ix, "Only lists can be indexed, not " + target, ctx);
                    return target.Element!;
                }
                case RangeExpr r:
                    Infer(r.From, scope, ctx);
                    Infer(r.To, scope, ctx);
                    return Mismatch(r, "A range a..b is only allowed after 'for … in'", ctx);
                case CallExpr call when IsResize(call, scope) is { } resize: return CheckResize(resize, scope, ctx);
                case CallExpr call: return InferCall(call, scope, ctx);
                case ComprehensionExpr co: return InferComprehension(co, scope, ctx);
                case SharedRefExpr sr:
                    return Mismatch(sr, "'@" + sr.Name + "' applies a module; use it as a statement or a pipeline stage", ctx);
                case IndexedSharedRefExpr isr:
                    return Mismatch(isr, "'@" + IndexedNames.Display(isr.Name) + "' applies a module; use it as a statement or a pipeline stage", ctx);
                case IndexedNameExpr ine:
                {
                    CheckNameParts(ine.Name, scope, ctx);
                    if (!ctx.TensorNames.Any(n => IndexedNames.CouldName(ine.Name, n)))
                    {
                        _diagnostics.Report(DiagnosticCatalogue.UnknownName, ctx.Path, ine.Span, IndexedNames.Display(ine.Name));
                        return ArchType.Error;
                    }
                    return ArchType.Tensor;
                }
                case PipeExpr pipe:
                {
                    var source = Infer(pipe.Source, scope, ctx);
                    if (source.Kind != TypeKind.Tensor && !source.IsError)
                        _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, pipe.Source.Span, "A pipeline starts from a tensor (e.g. 'input'), not a " + source);
                    var names = container ?? new HashSet<string>(StringComparer.Ordinal);
                    foreach (var stage in pipe.Stages) CheckStatement(stage, scope, names, ctx);
                    return ArchType.Tensor;
                }
            }
            return ArchType.Error;
        }

        private ArchType Mismatch(ExprSyntax e, string message, Context ctx)
        {
            _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, e.Span, message);
            return ArchType.Error;
        }

        private ArchType InferBinary(BinaryExpr b, ScopeChain<Local> scope, Context ctx, HashSet<string>? container)
        {
            var l = Infer(b.Left, scope, ctx, container);
            var r = Infer(b.Right, scope, ctx, container);
            if (l.IsError || r.IsError) return ArchType.Error;
            switch (b.Op)
            {
                case "&&":
                case "||":
                    if (l.Kind != TypeKind.Bool || r.Kind != TypeKind.Bool) return Mismatch(b, "'" + b.Op + "' needs bools, not " + l + " and " + r, ctx);
                    return ArchType.Bool;
                case "==":
                case "!=":
                    if (ArchType.Unify(l, r) == null || l.Kind == TypeKind.Tensor) return Mismatch(b, "Cannot compare " + l + " with " + r, ctx);
                    return ArchType.Bool;
                case "<":
                case "<=":
                case ">":
                case ">=":
                    if (!l.IsNumeric || !r.IsNumeric) return Mismatch(b, "'" + b.Op + "' compares numbers, not " + l + " and " + r, ctx);
                    return ArchType.Bool;
            }
            if (l.Kind == TypeKind.Tensor || r.Kind == TypeKind.Tensor)
            {
                bool ok = (b.Op == "*" || b.Op == "+" || b.Op == "-")
                    && (l.Kind == TypeKind.Tensor || l.IsNumeric) && (r.Kind == TypeKind.Tensor || r.IsNumeric);
                if (!ok) return Mismatch(b, "Tensors combine element-wise with +, - and * only", ctx);
                return ArchType.Tensor;
            }
            if (b.Op == "+" && l.Kind == TypeKind.String && r.Kind == TypeKind.String) return ArchType.String;
            if (!l.IsNumeric || !r.IsNumeric) return Mismatch(b, "'" + b.Op + "' needs numbers, not " + l + " and " + r, ctx);
            return l.Kind == TypeKind.Int && r.Kind == TypeKind.Int ? ArchType.Int : ArchType.Float;
        }

        /// <summary>The resize <paramref name="e"/> writes (<c>upsample_bilinear(to: skip)</c>) unless a local hides the layer.</summary>
        private static BoundResize? IsResize(ExprSyntax e, ScopeChain<Local> scope) =>
            BoundResize.Of(e) is { } r && scope.Lookup(r.Layer) == null ? r : null;

        /// <summary>Checks an up-sampling to another tensor's size: only <c>to</c> (a bound tensor's name) and, for
        /// bilinear, <c>align_corners</c> (a bool); each problem located at its argument.</summary>
        private ArchType CheckResize(BoundResize resize, ScopeChain<Local> scope, Context ctx)
        {
            foreach (var (argument, problem) in resize.Problems())
                _diagnostics.Report(DiagnosticCatalogue.InvalidValue, ctx.Path, argument.Span, problem);
            if (resize.AlignCorners != null) Expect(resize.AlignCorners, ArchType.Bool, scope, ctx, "'align_corners'");
            if (!(resize.Target is NameExpr || resize.Target is IndexedNameExpr))
            {
                Infer(resize.Target, scope, ctx);
                _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, resize.Target.Span,
                    "'" + resize.Layer + "(to: …)' takes the name of a bound tensor (e.g. 'to: skip'); bind the tensor first");
                return ArchType.Tensor;
            }
            var t = Infer(resize.Target, scope, ctx);
            if (t.Kind != TypeKind.Tensor && !t.IsError)
                _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, resize.Target.Span,
                    "'" + resize.Layer + "(to: …)' takes a tensor whose height and width it copies, not a " + t);
            return ArchType.Tensor;
        }

        private ArchType InferCall(CallExpr call, ScopeChain<Local> scope, Context ctx)
        {
            var argTypes = call.Arguments.Select(a => Infer(a.Value, scope, ctx)).ToList();
            if (!Builtins.Functions.TryGetValue(call.Callee, out var arity))
            {
                if (Primitives.Find(call.Callee) != null || _definitions.ContainsKey(call.Callee) || scope.Lookup(call.Callee)?.Type.Kind == TypeKind.Block)
                    _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, call.CalleeSpan,
                        "'" + call.Callee + "' is a layer or block; apply it as a statement or as a pipeline stage (x |> " + call.Callee + "(…))");
                else
                    _diagnostics.Report(DiagnosticCatalogue.UnknownName, ctx.Path, call.CalleeSpan, call.Callee);
                return ArchType.Error;
            }
            foreach (var a in call.Arguments)
                if (a.Name != null)
                    _diagnostics.Report(DiagnosticCatalogue.UnknownParameter, ctx.Path, a.Span, call.Callee, a.Name);
            if (argTypes.Count < arity.Min || argTypes.Count > arity.Max)
            {
                _diagnostics.Report(DiagnosticCatalogue.ArgumentCount, ctx.Path, call.CalleeSpan,
                    "'" + call.Callee + "' takes " + (arity.Min == arity.Max ? arity.Min.ToString(System.Globalization.CultureInfo.InvariantCulture) : arity.Min + " to " + arity.Max) + " arguments, not " + argTypes.Count);
                return ArchType.Error;
            }
            if (argTypes.Any(t => t.IsError)) return call.Callee == "float" || call.Callee == "log" || call.Callee == "exp" || call.Callee == "sqrt" ? ArchType.Float : call.Callee == "len" || call.Callee == "make_divisible" ? ArchType.Int : ArchType.Error;
            if (call.Callee == "len")
            {
                if (argTypes[0].Kind != TypeKind.List) return Mismatch(call, "'len' takes a list, not " + argTypes[0], ctx);
                return ArchType.Int;
            }
            if (call.Callee == "sum" || call.Callee == "cumsum")
            {
                var list = argTypes[0];
                if (list.Kind != TypeKind.List || !list.Element!.IsNumeric)
                    return Mismatch(call.Arguments[0].Value, "'" + call.Callee + "' takes a list of numbers, not " + list, ctx);
                return call.Callee == "sum" ? list.Element! : list;
            }
            for (int i = 0; i < argTypes.Count; i++)
                if (!argTypes[i].IsNumeric)
                    return Mismatch(call.Arguments[i].Value, "'" + call.Callee + "' takes numbers, not " + argTypes[i], ctx);
            // make_divisible rounds to a multiple of its divisor (and floor): both are counts of channels.
            if (call.Callee == "make_divisible")
                for (int i = 1; i < argTypes.Count; i++)
                    if (argTypes[i].Kind != TypeKind.Int)
                        return Mismatch(call.Arguments[i].Value, "'make_divisible' takes an int " + (i == 1 ? "divisor" : "minimum") + ", not " + argTypes[i], ctx);
            switch (call.Callee)
            {
                case "make_divisible":
                case "round":
                case "ceil":
                case "floor":
                case "int":
                    return ArchType.Int;
                case "float":
                case "log":
                case "exp":
                case "sqrt":
                    return ArchType.Float;
                default:
                    return argTypes.All(t => t.Kind == TypeKind.Int) ? ArchType.Int : ArchType.Float;
            }
        }
    }
}
