using System.Collections.Generic;
using System.Linq;

namespace ArchDsl.Generator.Emit
{
    /// <summary>The members of a network with named outputs (<c>output name</c>): one <c>Outputs</c> record holds the main
    /// output, each named output (never null) and each auxiliary head (null unless training), the same record a network
    /// with auxiliary heads alone returns from <c>forward_with_aux</c>.</summary>
    internal static partial class ClassEmitter
    {
        private static void NamedOutputMembers(IndentedWriter w, IndentedWriter forwardBody, Guard? guard,
            IReadOnlyList<(string Local, string Name)> aux, IReadOnlyList<(string Local, string Name)> named, bool isNetwork)
        {
            var all = named.Concat(aux).ToList();
            w.Line("/// <summary>The main output, each named output (" + string.Join(", ", named.Select(n => n.Name))
                + (aux.Count > 0 ? ") and each auxiliary head's output (null unless training and the head exists)." : ").") + "</summary>");
            w.Line("public sealed record Outputs(Tensor " + OutputsMainProperty + string.Concat(named.Select(n => ", Tensor " + Naming.Pascal(n.Name)))
                + string.Concat(aux.Select(a => ", Tensor? " + Naming.Pascal(a.Name))) + ");");
            w.Line();
            w.Line("/// <summary>The main output alone (the named outputs are computed and freed).</summary>");
            w.Open("public override Tensor forward(Tensor input)");
            w.Line("var all = forward_with_outputs(input);");
            w.Line("return ArchOps.KeepOnly(all." + OutputsMainProperty + string.Concat(all.Select(o => ", all." + Naming.Pascal(o.Name))) + ");");
            w.Close();
            w.Line();
            w.Line("/// <summary>Every output of the network: the main one and each named one" + (aux.Count > 0 ? ", and the auxiliary heads'" : "") + ".</summary>");
            w.Open("public Outputs forward_with_outputs(Tensor input)");
            BodyLines(w, forwardBody, guard, aux);
            var locals = "x" + string.Concat(all.Select(o => ", " + o.Local));
            w.Line("var result = new Outputs(" + locals + ");");
            w.Line("ArchOps.MoveOut(" + locals + ");");
            w.Line("return result;");
            w.Close();
            if (aux.Count > 0)
            {
                w.Line();
                w.Line("/// <summary>As forward_with_outputs (the record holds the auxiliary heads too).</summary>");
                w.Line("public Outputs forward_with_aux(Tensor input) => forward_with_outputs(input);");
            }
            if (isNetwork) BackboneMembers.WholeForward(w);
        }
    }
}
