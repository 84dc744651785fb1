// Elaborator: scalar expressions - literals, lists, comprehensions, operators and built-in calls.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Elaboration
{
    public sealed partial class Elaborator
    {
        // ------------------------------------------------------------ scalar expressions

        private long AsInt(Value v, ExprSyntax e, ParsedFile file) => AsIntValue(v, e.Span, file);

        private long AsIntValue(Value v, TextSpan span, ParsedFile file) => v is IntValue i ? i.Value
            : throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, span, "Expected an int, not " + v.Display);

        private bool AsBool(Value v, ExprSyntax e, ParsedFile file) => v is BoolValue b ? b.Value
            : throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, e.Span, "Expected a bool, not " + v.Display);

        private static double AsReal(Value v) => v is FloatValue f ? f.Value : v is IntValue i ? i.Value : double.NaN;

        private Value Eval(ExprSyntax e, Env env, Feature x, ParsedFile file)
        {
            Charge(WorkKind.ExpressionSteps, file.Path, e.Span);
            switch (e)
            {
                case IntLiteral i: return new IntValue(i.Value);
                case FloatLiteral f: return new FloatValue(f.Value);
                case BoolLiteral b: return new BoolValue(b.Value);
                case StringLiteral s: return new StringValue(s.Value);
                case NameExpr n:
                {
                    var v = env.Lookup(n.Name);
                    if (v != null) return v;
                    switch (n.Name)
                    {
                        case "in_channels": return new IntValue(x.Channels);
                        case "in_height": return new IntValue(x.Flat ? 1 : x.Height);
                        case "in_width": return new IntValue(x.Flat ? 1 : x.Width);
                    }
                    if (_program.Definitions.TryGetValue(n.Name, out var def)) return new BlockValue(def);
                    throw Fail(DiagnosticCatalogue.UnknownName, file.Path, n.Span, n.Name);
                }
                case ListExpr l: return EvalList(l, env, x, file);
                case UnaryExpr u:
                {
                    var v = Eval(u.Operand, env, x, file);
                    if (u.Op == "!") return new BoolValue(!AsBool(v, u.Operand, file));
                    if (v is IntValue iv)
                        return iv.Value == long.MinValue ? throw Overflow(file.Path, u.Span) : new IntValue(ArchMath.Negate(iv.Value));
                    if (v is FloatValue fv) return new FloatValue(-fv.Value);
                    throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, u.Span, "'-' needs a number, not " + v.Display);
                }
                case BinaryExpr b: return EvalBinary(b, env, x, file);
                case ConditionalExpr c:
                    return AsBool(Eval(c.Condition, env, x, file), c.Condition, file) ? Eval(c.WhenTrue, env, x, file) : Eval(c.WhenFalse, env, x, file);
                case IndexExpr ix:
                {
                    var target = Eval(ix.Target, env, x, file);
                    long index = AsInt(Eval(ix.Index, env, x, file), ix.Index, file);
                    if (!(target is ListValue list)) throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, ix.Target.Span, "Only lists can be indexed, not " + target.Display);
                    if (index < 0 || index >= list.Items.Length)
                        throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, ix.Index.Span, "Index " + index + " is outside the list of " + list.Items.Length + " items");
                    return list.Items[(int)index];
                }
                case CallExpr call: return EvalCall(call, env, x, file);
                case ComprehensionExpr co: return EvalComprehension(co, env, x, file);
            }
            throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, e.Span, "This expression has no scalar value");
        }

        // Apart from Eval: a lambda capturing Eval's parameters would cost an object on every Eval call.
        private Value EvalList(ListExpr l, Env env, Feature x, ParsedFile file)
        {
            return Homogeneous(l.Items.Select(item => Eval(item, env, x, file)).ToList());
        }

        /// <summary><c>[item for v in source if filter]</c>: one loop iteration of the file's budget per source item.</summary>
        private Value EvalComprehension(ComprehensionExpr co, Env env, Feature x, ParsedFile file)
        {
            IReadOnlyList<Value> source;
            if (co.Source is RangeExpr range)
            {
                long from = AsInt(Eval(range.From, env, x, file), range.From, file);
                long to = AsInt(Eval(range.To, env, x, file), range.To, file);
                ulong length = ArchMath.RangeLength(from, to);
                if (length > (ulong)MaxOps) throw Fail(DiagnosticCatalogue.TooLarge, file.Path, co.Source.Span, "This range has more than " + MaxOps + " items");
                Charge(WorkKind.LoopIterations, file.Path, co.Source.Span, (long)length);
                var ints = new List<Value>((int)length);
                for (long i = from; i < to; i++) ints.Add(new IntValue(i));
                source = ints;
            }
            else
            {
                var v = Eval(co.Source, env, x, file);
                if (!(v is ListValue l)) throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, co.Source.Span, "A comprehension runs over a list or a range, not " + v.Display);
                Charge(WorkKind.LoopIterations, file.Path, co.Source.Span, l.Items.Length);
                source = l.Items;
            }
            var items = new List<Value>();
            for (int k = 0; k < source.Count; k++)
            {
                var inner = new Env(env);
                inner.Define(co.Variable, source[k]);
                _iterations.Add(new Iteration(co.Variable, source[k], k, source.Count));
                try
                {
                    if (co.Filter != null && !AsBool(Eval(co.Filter, inner, x, file), co.Filter, file)) continue;
                    items.Add(Eval(co.Item, inner, x, file));
                }
                finally
                {
                    _iterations.RemoveAt(_iterations.Count - 1);
                }
            }
            return Homogeneous(items);
        }

        /// <summary>A list value; ints among floats become floats (a list is of one type).</summary>
        private static ListValue Homogeneous(List<Value> items)
        {
            if (items.Any(it => it is FloatValue) && items.All(it => it is FloatValue || it is IntValue))
                items = items.Select(it => it is IntValue iv ? new FloatValue(iv.Value) : it).ToList();
            return new ListValue(items.ToImmutableArray());
        }

        private Value EvalBinary(BinaryExpr b, Env env, Feature x, ParsedFile file)
        {
            if (b.Op == "&&" || b.Op == "||")
            {
                bool l = AsBool(Eval(b.Left, env, x, file), b.Left, file);
                if (b.Op == "&&" && !l) return new BoolValue(false);
                if (b.Op == "||" && l) return new BoolValue(true);
                return new BoolValue(AsBool(Eval(b.Right, env, x, file), b.Right, file));
            }
            var lv = Eval(b.Left, env, x, file);
            var rv = Eval(b.Right, env, x, file);
            if (b.Op == "==" || b.Op == "!=")
            {
                bool eq = (lv is IntValue || lv is FloatValue) && (rv is IntValue || rv is FloatValue) ? AsReal(lv) == AsReal(rv) : lv.Equals(rv);
                return new BoolValue(b.Op == "==" ? eq : !eq);
            }
            if (b.Op == "+" && lv is StringValue ls && rv is StringValue rs)
            {
                if ((long)ls.Value.Length + rs.Value.Length > ReliabilityLimits.MaxStringLength)
                    throw Fail(DiagnosticCatalogue.TooLarge, file.Path, b.Span, "This string would be longer than " + ReliabilityLimits.MaxStringLength + " characters");
                return new StringValue(ls.Value + rs.Value);
            }
            if (!(lv is IntValue || lv is FloatValue) || !(rv is IntValue || rv is FloatValue))
                throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, b.Span, "'" + b.Op + "' needs numbers, not " + lv.Display + " and " + rv.Display);
            if (lv is IntValue li && rv is IntValue ri)
            {
                long l = li.Value, r = ri.Value;
                try
                {
                    checked
                    {
                        switch (b.Op)
                        {
                            case "+": return new IntValue(ArchMath.Add(l, r));
                            case "-": return new IntValue(ArchMath.Subtract(l, r));
                            case "*": return new IntValue(ArchMath.Multiply(l, r));
                            case "/":
                                if (r == 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, b.Span, "Division by zero");
                                return new IntValue(ArchMath.FloorDiv(l, r));
                            case "%":
                                if (r == 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, b.Span, "Division by zero");
                                return new IntValue(ArchMath.FloorMod(l, r));
                            case "^":
                                if (r < 0) return new FloatValue(Math.Pow(l, r));
                                return new IntValue(ArchMath.Pow(l, r));
                            case "<": return new BoolValue(l < r);
                            case "<=": return new BoolValue(l <= r);
                            case ">": return new BoolValue(l > r);
                            case ">=": return new BoolValue(l >= r);
                        }
                    }
                }
                catch (OverflowException)
                {
                    throw Overflow(file.Path, b.Span);
                }
            }
            double a = AsReal(lv), c = AsReal(rv);
            switch (b.Op)
            {
                case "+": return Real(a + c, b, file);
                case "-": return Real(a - c, b, file);
                case "*": return Real(a * c, b, file);
                case "/":
                    if (c == 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, b.Span, "Division by zero");
                    return Real(a / c, b, file);
                case "%":
                    if (c == 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, b.Span, "Division by zero");
                    return Real(a - Math.Floor(a / c) * c, b, file);
                case "^": return Real(Math.Pow(a, c), b, file);
                case "<": return new BoolValue(a < c);
                case "<=": return new BoolValue(a <= c);
                case ">": return new BoolValue(a > c);
                case ">=": return new BoolValue(a >= c);
            }
            throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, b.Span, "Unknown operator '" + b.Op + "'");
        }

        private Value Real(double v, ExprSyntax e, ParsedFile file)
        {
            if (double.IsNaN(v) || double.IsInfinity(v)) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, e.Span, "The result is not a finite number");
            return new FloatValue(v);
        }

        /// <summary>The sum of a list of numbers, or its prefix sums (<c>cumsum([1, 2, 3]) == [1, 3, 6]</c>); ints stay ints
        /// (an overflow is ARCH0018), floats add in order in double precision.</summary>
        private Value Sums(ListValue list, bool prefix, CallExpr call, ParsedFile file)
        {
            Charge(WorkKind.ExpressionSteps, file.Path, call.Span, list.Items.Length);
            bool ints = list.Items.All(v => v is IntValue);
            long total = 0;
            double real = 0;
            var sums = prefix ? new List<Value>(list.Items.Length) : null;
            foreach (var v in list.Items)
            {
                if (ints)
                {
                    try { total = checked(total + ((IntValue)v).Value); }
                    catch (OverflowException) { throw Overflow(file.Path, call.Span); }
                    sums?.Add(new IntValue(total));
                }
                else
                {
                    if (!(v is IntValue || v is FloatValue)) throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, call.Span, "'" + call.Callee + "' takes a list of numbers");
                    real += AsReal(v);
                    if (double.IsInfinity(real)) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Span, "The result is not a finite number");
                    sums?.Add(new FloatValue(real));
                }
            }
            if (sums != null) return new ListValue(sums.ToImmutableArray());
            return ints ? new IntValue(total) : new FloatValue(real);
        }

        private Value EvalCall(CallExpr call, Env env, Feature x, ParsedFile file)
        {
            var args = call.Arguments.Select(a => Eval(a.Value, env, x, file)).ToList();
            if (!Builtins.Functions.TryGetValue(call.Callee, out var arity) || args.Count < arity.Min || args.Count > arity.Max)
                throw Fail(DiagnosticCatalogue.UnknownName, file.Path, call.CalleeSpan, call.Callee);
            if (call.Callee == "len")
                return args[0] is ListValue l ? new IntValue(l.Items.Length)
                    : throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, call.Span, "'len' takes a list");
            if (call.Callee == "sum" || call.Callee == "cumsum")
                return args[0] is ListValue items ? Sums(items, call.Callee == "cumsum", call, file)
                    : throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, call.Span, "'" + call.Callee + "' takes a list");
            if (args.Any(a => !(a is IntValue || a is FloatValue)))
                throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, call.Span, "'" + call.Callee + "' takes numbers");
            var reals = args.Select(AsReal).ToList();
            long ToLong(double d)
            {
                if (!ArchMath.FitsLong(d)) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Span, "The result is out of range");
                return (long)d;
            }
            switch (call.Callee)
            {
                case "make_divisible":
                {
                    long d = args[1] is IntValue di ? di.Value : ToLong(reals[1]);
                    if (d <= 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Arguments[1].Span, "make_divisible needs a positive divisor, not " + args[1].Display);
                    if (reals[0] > 9e18) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Span, "The result is out of range");
                    return new IntValue(ArchMath.MakeDivisible(reals[0], d, args.Count > 2 ? ToLong(reals[2]) : (long?)null));
                }
                case "round": return new IntValue(ToLong(Math.Round(reals[0], MidpointRounding.ToEven)));
                case "ceil": return new IntValue(ToLong(Math.Ceiling(reals[0])));
                case "floor": return new IntValue(ToLong(Math.Floor(reals[0])));
                case "int": return new IntValue(ToLong(Math.Truncate(reals[0])));
                case "float": return new FloatValue(reals[0]);
                case "log":
                {
                    // Natural log, or to the base of the second argument (log(x) / log(base) in double precision, as
                    // Python's math.log(x, base)).
                    if (reals[0] <= 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Arguments[0].Span, "log needs a positive argument, not " + args[0].Display);
                    if (args.Count > 1 && (reals[1] <= 0 || reals[1] == 1))
                        throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Arguments[1].Span, "log's base must be positive and not 1, not " + args[1].Display);
                    return Real(args.Count > 1 ? ArchMath.Log(reals[0], reals[1]) : Math.Log(reals[0]), call, file);
                }
                case "exp": return Real(Math.Exp(reals[0]), call, file);
                case "sqrt":
                    if (reals[0] < 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Arguments[0].Span, "sqrt needs a non-negative argument, not " + args[0].Display);
                    return Real(Math.Sqrt(reals[0]), call, file);
                case "abs":
                    if (!(args[0] is IntValue ai)) return new FloatValue(Math.Abs(reals[0]));
                    return ai.Value == long.MinValue ? throw Overflow(file.Path, call.Span) : new IntValue(ArchMath.Abs(ai.Value));
                case "min":
                case "max":
                {
                    // Ints compare as ints: through double, values above 2^53 would round (and differ from the generated code's).
                    if (args.All(a => a is IntValue))
                    {
                        long bestInt = ((IntValue)args[0]).Value;
                        foreach (var a in args) bestInt = call.Callee == "min" ? ArchMath.Min(bestInt, ((IntValue)a).Value) : ArchMath.Max(bestInt, ((IntValue)a).Value);
                        return new IntValue(bestInt);
                    }
                    return new FloatValue(call.Callee == "min" ? reals.Min() : reals.Max());
                }
            }
            throw Fail(DiagnosticCatalogue.UnknownName, file.Path, call.CalleeSpan, call.Callee);
        }
    }
}
