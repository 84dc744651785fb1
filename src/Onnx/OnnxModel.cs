using System.Collections.Generic;
using System.Collections.Immutable;

namespace ArchDsl.Onnx
{
    /// <summary>ONNX element types used here (TensorProto.DataType).</summary>
    public enum OnnxDataType { Float = 1, Int64 = 7 }

    /// <summary>A tensor's dimension: a fixed size, or a symbolic one (<see cref="Param"/>, e.g. "batch").</summary>
    public readonly record struct OnnxDim(long Value, string? Param = null)
    {
        public override string ToString() => Param ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>ValueInfoProto: a named tensor with its element type and shape.</summary>
    public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, ImmutableArray<OnnxDim> Shape);

    /// <summary>TensorProto with its values as little-endian raw data (4 bytes per float, 8 per int64).</summary>
    public sealed record OnnxTensor(string Name, OnnxDataType DataType, ImmutableArray<long> Dims, byte[] RawData);

    public enum OnnxAttributeType { Float = 1, Int = 2, String = 3, Floats = 6, Ints = 7 }

    /// <summary>AttributeProto: one of a float, an int, a string or a list of ints or floats.</summary>
    public sealed record OnnxAttribute(string Name, OnnxAttributeType Type, double Float = 0, long Int = 0, string? Text = null,
        ImmutableArray<long> Ints = default, ImmutableArray<double> Floats = default)
    {
        public static OnnxAttribute Of(string name, long value) => new OnnxAttribute(name, OnnxAttributeType.Int, Int: value);
        public static OnnxAttribute Of(string name, double value) => new OnnxAttribute(name, OnnxAttributeType.Float, Float: value);
        public static OnnxAttribute Of(string name, string text) => new OnnxAttribute(name, OnnxAttributeType.String, Text: text);
        public static OnnxAttribute Of(string name, params long[] values) => new OnnxAttribute(name, OnnxAttributeType.Ints, Ints: values.ToImmutableArray());
    }

    /// <summary>NodeProto: an operator applied to named inputs ("" for an omitted optional one), giving named outputs.</summary>
    public sealed record OnnxNode(string OpType, string Name, ImmutableArray<string> Inputs, ImmutableArray<string> Outputs,
        ImmutableArray<OnnxAttribute> Attributes);

    /// <summary>GraphProto: nodes in execution (topological) order, initializers, inputs, outputs and intermediate shapes.</summary>
    public sealed record OnnxGraph(string Name, ImmutableArray<OnnxNode> Nodes, ImmutableArray<OnnxTensor> Initializers,
        ImmutableArray<OnnxValueInfo> Inputs, ImmutableArray<OnnxValueInfo> Outputs, ImmutableArray<OnnxValueInfo> ValueInfos,
        string? DocString = null);

    /// <summary>ModelProto: IR version, operator-set imports (domain "" is the standard one), producer and graph.</summary>
    public sealed record OnnxModel(long IrVersion, ImmutableArray<(string Domain, long Version)> OpsetImports,
        string ProducerName, string ProducerVersion, OnnxGraph Graph, IReadOnlyList<KeyValuePair<string, string>> Metadata);
}
