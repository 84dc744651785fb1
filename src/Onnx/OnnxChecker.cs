using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ArchDsl.Onnx
{
    /// <summary>
    /// The structural rules of ONNX's checker that a model written here must keep: an IR version and a standard opset
    /// import; nodes in topological order with every input defined (a graph input, an initializer or an earlier node's
    /// output); single assignment (no value produced twice) and unique node and initializer names; every graph output
    /// produced; initializers whose raw data fits their dimensions and whose dimensions match any declared value info.
    /// </summary>
    public static class OnnxChecker
    {
        /// <summary>The rules <paramref name="model"/> breaks, one sentence each; empty when it keeps them all.</summary>
        public static IReadOnlyList<string> Check(OnnxModel model)
        {
            var problems = new List<string>();
            if (model.IrVersion < 3) problems.Add("IR version " + model.IrVersion + " is missing or too old");
            if (!model.OpsetImports.Any(o => o.Domain.Length == 0 && o.Version >= 1)) problems.Add("no opset import for the standard domain");
            var graph = model.Graph;
            if (graph.Name.Length == 0) problems.Add("the graph has no name");

            var defined = new HashSet<string>(StringComparer.Ordinal);
            foreach (var input in graph.Inputs)
                if (!defined.Add(input.Name)) problems.Add("graph input '" + input.Name + "' is declared twice");
            var initializerNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in graph.Initializers)
            {
                if (!initializerNames.Add(t.Name)) problems.Add("initializer '" + t.Name + "' is declared twice");
                defined.Add(t.Name);
                long elements = 1;
                foreach (var d in t.Dims) elements = d < 0 ? -1 : elements * d;
                long size = t.DataType == OnnxDataType.Int64 ? 8 : 4;
                if (elements < 0 || t.RawData.LongLength != elements * size)
                    problems.Add("initializer '" + t.Name + "' has " + t.RawData.Length + " bytes for dimensions [" + string.Join(", ", t.Dims) + "]");
            }

            var nodeNames = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < graph.Nodes.Length; i++)
            {
                var node = graph.Nodes[i];
                string where = "node " + i.ToString(CultureInfo.InvariantCulture) + " (" + node.OpType + " '" + node.Name + "')";
                if (node.OpType.Length == 0) problems.Add(where + " has no operator");
                if (node.Name.Length > 0 && !nodeNames.Add(node.Name)) problems.Add(where + ": the node name is used twice");
                foreach (var input in node.Inputs)
                    if (input.Length > 0 && !defined.Contains(input)) problems.Add(where + " reads '" + input + "' before it is defined");
                foreach (var output in node.Outputs)
                    if (output.Length == 0 || !defined.Add(output)) problems.Add(where + " produces '" + output + "', which is already defined");
            }
            foreach (var output in graph.Outputs)
                if (!defined.Contains(output.Name)) problems.Add("graph output '" + output.Name + "' is never produced");

            var declared = new Dictionary<string, OnnxValueInfo>(StringComparer.Ordinal);
            foreach (var v in graph.Inputs.Concat(graph.Outputs).Concat(graph.ValueInfos))
            {
                if (declared.ContainsKey(v.Name) && !graph.Outputs.Contains(v)) problems.Add("value '" + v.Name + "' has more than one value info");
                declared[v.Name] = v;
                if (v.Shape.Any(d => d.Param == null && d.Value < 0)) problems.Add("value '" + v.Name + "' has a negative dimension");
            }
            foreach (var t in graph.Initializers)
            {
                if (!declared.TryGetValue(t.Name, out var info)) continue;
                if (info.Shape.Length != t.Dims.Length || info.Shape.Zip(t.Dims, (d, n) => d.Param != null || d.Value == n).Contains(false))
                    problems.Add("initializer '" + t.Name + "' is [" + string.Join(", ", t.Dims) + "] but declared [" + string.Join(", ", info.Shape) + "]");
            }
            return problems;
        }
    }
}
