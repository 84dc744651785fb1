using System.Collections.Generic;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Layers;

namespace ArchDsl.Generator.Emit
{
    /// <summary>How one target spells the pieces of a layer's construction and shape call; <see cref="LayerCalls"/>
    /// decides which pieces there are from the layer's rule (<see cref="LayerTable"/>), so the targets agree.</summary>
    internal abstract class LayerSyntax
    {
        private readonly System.Func<Syntax.ExprSyntax, ArchType?, string> _emit;
        private readonly System.Func<Syntax.ExprSyntax, ArchType> _typeOf;

        protected LayerSyntax(System.Func<Syntax.ExprSyntax, ArchType?, string> emit, System.Func<Syntax.ExprSyntax, ArchType> typeOf)
        {
            _emit = emit;
            _typeOf = typeOf;
        }

        /// <summary>An argument expression, converted to <paramref name="type"/> when given.</summary>
        public string Expression(Syntax.ExprSyntax e, ArchType? type) => _emit(e, type);

        /// <summary>Whether the expression is a list (an [h, w] pair) rather than an int.</summary>
        public bool IsList(Syntax.ExprSyntax e) => _typeOf(e).Kind == TypeKind.List;

        /// <summary>A parameter's default constant.</summary>
        public abstract string Constant(object? value, bool real);

        /// <summary>A pair argument as the framework's constructor takes it. <paramref name="anyList"/>: some pair
        /// argument of this constructor is a list (C# then spells every pair as a tuple, one overload).</summary>
        public abstract string Pair(string value, bool isList, string h, string w, bool anyList);

        public abstract string Array(string h, string w);
        public abstract string Keyword(string name, string value);

        /// <summary>The keyword this target's framework calls the argument (null: positional).</summary>
        public abstract string? KeywordOf(EmittedArgument argument);
        public abstract string InputChannels(string shapeVar);
        public abstract string SpatialChannels(string shapeVar, string layer);
        public abstract string Constructor(ModuleConstruction module);
        public abstract string ShapeMethod(string method);

        /// <summary>The shape tracker's call of <paramref name="method"/> with every argument the layer's rule lists,
        /// in its order; a target may print a shorter equivalent.</summary>
        public virtual string ShapeCall(string shapeVar, string method, IReadOnlyList<string> arguments) =>
            shapeVar + "." + ShapeMethod(method) + "(" + string.Join(", ", arguments) + ")";
    }

    /// <summary>A bound primitive application printed through a <see cref="LayerSyntax"/>: the module's construction
    /// (arguments left at a default the framework shares are not written) and the shape tracker's call.</summary>
    internal static class LayerCalls
    {
        /// <summary>The module's construction; <paramref name="inPlace"/> adds the framework's <c>inplace</c> flag for an
        /// activation that may overwrite its input (<see cref="Analysis.InPlaceSites.Activations"/>).</summary>
        public static string Construction(BoundCall call, string shapeVar, LayerSyntax syntax, bool inPlace = false)
        {
            var rule = LayerTable.Of(call.Primitive!.Kind);
            bool Omitted(EmittedArgument a) => a.FrameworkDefault && call.Argument(a.Parameter).IsDefault;
            bool anyList = rule.Construction.Arguments.Any(a => !Omitted(a) && a.Form == ArgForm.Pair && IsList(call, a.Parameter, syntax));
            var parts = new List<string>();
            if (rule.Construction.Fixed != null) parts.Add(rule.Construction.Fixed);
            bool skipped = false;
            foreach (var a in rule.Construction.Arguments)
            {
                if (Omitted(a)) { skipped = true; continue; }
                var value = Value(call, a, shapeVar, syntax, anyList);
                var keyword = a.Positional && !skipped ? null : syntax.KeywordOf(a);
                parts.Add(keyword != null ? syntax.Keyword(keyword, value) : value);
            }
            if (inPlace) parts.Add(syntax.Keyword("inplace", syntax.Constant(true, false)));
            return syntax.Constructor(rule.Construction) + "(" + string.Join(", ", parts) + ")";
        }

        /// <summary>The shape tracker's call after the layer, or "" when the layer keeps the shape.</summary>
        public static string Shape(BoundCall call, string shapeVar, LayerSyntax syntax)
        {
            var track = LayerTable.Of(call.Primitive!.Kind).ShapeCall;
            if (track == null) return "";
            return syntax.ShapeCall(shapeVar, track.Method, track.Arguments.Select(a => Value(call, a, shapeVar, syntax, false)).ToList());
        }

        private static bool IsList(BoundCall call, string parameter, LayerSyntax syntax) =>
            call.Argument(parameter).Expression is { } e && syntax.IsList(e);

        private static string Value(BoundCall call, EmittedArgument a, string shapeVar, LayerSyntax syntax, bool anyList)
        {
            switch (a.Form)
            {
                case ArgForm.InputChannels: return syntax.InputChannels(shapeVar);
                case ArgForm.SpatialChannels: return syntax.SpatialChannels(shapeVar, call.Primitive!.Name);
            }
            var bound = call.Argument(a.Parameter);
            string v = bound.Expression != null ? syntax.Expression(bound.Expression, a.Float ? ArchType.Float : null) : syntax.Constant(bound.Default, a.Float);
            bool list = bound.Expression != null && syntax.IsList(bound.Expression);
            string H() => list ? v + "[0]" : v;
            string W() => list ? v + "[1]" : v;
            return a.Form switch
            {
                ArgForm.Pair => syntax.Pair(v, list, H(), W(), anyList),
                ArgForm.Array => syntax.Array(H(), W()),
                ArgForm.H => H(),
                ArgForm.W => W(),
                _ => v,
            };
        }
    }
}
