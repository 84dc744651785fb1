using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Onnx.Proto;

namespace ArchDsl.Onnx
{
    /// <summary>Writes and reads ONNX models in protobuf form; field numbers are those of onnx.proto.</summary>
    public static class OnnxSerializer
    {
        // ModelProto
        private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelGraph = 7, ModelOpset = 8, ModelMetadata = 14;
        // OperatorSetIdProto, StringStringEntryProto
        private const int OpsetDomain = 1, OpsetVersion = 2, EntryKey = 1, EntryValue = 2;
        // GraphProto
        private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphDoc = 10, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
        // NodeProto
        private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
        // AttributeProto
        private const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrFloats = 7, AttrInts = 8, AttrType = 20;
        // TensorProto
        private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
        // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, Dimension
        private const int ValueName = 1, ValueType = 2, TypeTensor = 1, TensorElemType = 1, TensorShape = 2, ShapeDim = 1, DimValue = 1, DimParam = 2;

        public static byte[] Write(OnnxModel model)
        {
            var w = new ProtoWriter();
            w.Int(ModelIrVersion, model.IrVersion);
            foreach (var (domain, version) in model.OpsetImports)
                w.Message(ModelOpset, o => o.String(OpsetDomain, domain).Int(OpsetVersion, version));
            w.String(ModelProducerName, model.ProducerName);
            w.String(ModelProducerVersion, model.ProducerVersion);
            w.Message(ModelGraph, g => WriteGraph(g, model.Graph));
            foreach (var entry in model.Metadata)
                w.Message(ModelMetadata, e => e.String(EntryKey, entry.Key).String(EntryValue, entry.Value));
            return w.ToArray();
        }

        private static void WriteGraph(ProtoWriter w, OnnxGraph graph)
        {
            foreach (var node in graph.Nodes) w.Message(GraphNode, n => WriteNode(n, node));
            w.String(GraphName, graph.Name);
            foreach (var tensor in graph.Initializers) w.Message(GraphInitializer, t => WriteTensor(t, tensor));
            if (graph.DocString != null) w.String(GraphDoc, graph.DocString);
            foreach (var v in graph.Inputs) w.Message(GraphInput, m => WriteValueInfo(m, v));
            foreach (var v in graph.Outputs) w.Message(GraphOutput, m => WriteValueInfo(m, v));
            foreach (var v in graph.ValueInfos) w.Message(GraphValueInfo, m => WriteValueInfo(m, v));
        }

        private static void WriteNode(ProtoWriter w, OnnxNode node)
        {
            foreach (var i in node.Inputs) w.String(NodeInput, i);
            foreach (var o in node.Outputs) w.String(NodeOutput, o);
            w.String(NodeName, node.Name);
            w.String(NodeOpType, node.OpType);
            foreach (var a in node.Attributes) w.Message(NodeAttribute, m => WriteAttribute(m, a));
        }

        private static void WriteAttribute(ProtoWriter w, OnnxAttribute a)
        {
            w.String(AttrName, a.Name);
            switch (a.Type)
            {
                case OnnxAttributeType.Float: w.Float(AttrF, (float)a.Float); break;
                case OnnxAttributeType.Int: w.Int(AttrI, a.Int); break;
                case OnnxAttributeType.String: w.String(AttrS, a.Text ?? ""); break;
                case OnnxAttributeType.Ints: foreach (var i in a.Ints) w.Int(AttrInts, i); break;
                case OnnxAttributeType.Floats: foreach (var f in a.Floats) w.Float(AttrFloats, (float)f); break;
            }
            w.Int(AttrType, (long)a.Type);
        }

        private static void WriteTensor(ProtoWriter w, OnnxTensor t)
        {
            foreach (var d in t.Dims) w.Int(TensorDims, d);
            w.Int(TensorDataType, (long)t.DataType);
            w.String(TensorName, t.Name);
            w.Bytes(TensorRawData, t.RawData);
        }

        private static void WriteValueInfo(ProtoWriter w, OnnxValueInfo v)
        {
            w.String(ValueName, v.Name);
            w.Message(ValueType, type => type.Message(TypeTensor, tensor =>
            {
                tensor.Int(TensorElemType, (long)v.ElementType);
                tensor.Message(TensorShape, shape =>
                {
                    foreach (var d in v.Shape)
                        shape.Message(ShapeDim, dim => { if (d.Param != null) dim.String(DimParam, d.Param); else dim.Int(DimValue, d.Value); });
                });
            }));
        }

        /// <summary>Reads a model written by any ONNX writer, keeping the parts this project writes (others are skipped).
        /// Throws <see cref="FormatException"/> on malformed bytes.</summary>
        public static OnnxModel Read(ReadOnlyMemory<byte> bytes)
        {
            long ir = 0;
            string producer = "", producerVersion = "";
            var opsets = ImmutableArray.CreateBuilder<(string, long)>();
            var metadata = new List<KeyValuePair<string, string>>();
            OnnxGraph? graph = null;
            foreach (var f in ProtoReader.Fields(bytes))
            {
                switch (f.Number)
                {
                    case ModelIrVersion: ir = f.Int; break;
                    case ModelProducerName: producer = f.Text; break;
                    case ModelProducerVersion: producerVersion = f.Text; break;
                    case ModelGraph: graph = ReadGraph(f.Bytes); break;
                    case ModelOpset:
                    {
                        string domain = "";
                        long version = 0;
                        foreach (var o in ProtoReader.Fields(f.Bytes))
                            if (o.Number == OpsetDomain) domain = o.Text; else if (o.Number == OpsetVersion) version = o.Int;
                        opsets.Add((domain, version));
                        break;
                    }
                    case ModelMetadata:
                    {
                        string key = "", value = "";
                        foreach (var e in ProtoReader.Fields(f.Bytes))
                            if (e.Number == EntryKey) key = e.Text; else if (e.Number == EntryValue) value = e.Text;
                        metadata.Add(new KeyValuePair<string, string>(key, value));
                        break;
                    }
                }
            }
            if (graph == null) throw new FormatException("the model has no graph");
            return new OnnxModel(ir, opsets.ToImmutable(), producer, producerVersion, graph, metadata);
        }

        private static OnnxGraph ReadGraph(ReadOnlyMemory<byte> bytes)
        {
            string name = "";
            string? doc = null;
            var nodes = ImmutableArray.CreateBuilder<OnnxNode>();
            var initializers = ImmutableArray.CreateBuilder<OnnxTensor>();
            var inputs = ImmutableArray.CreateBuilder<OnnxValueInfo>();
            var outputs = ImmutableArray.CreateBuilder<OnnxValueInfo>();
            var infos = ImmutableArray.CreateBuilder<OnnxValueInfo>();
            foreach (var f in ProtoReader.Fields(bytes))
            {
                switch (f.Number)
                {
                    case GraphNode: nodes.Add(ReadNode(f.Bytes)); break;
                    case GraphName: name = f.Text; break;
                    case GraphInitializer: initializers.Add(ReadTensor(f.Bytes)); break;
                    case GraphDoc: doc = f.Text; break;
                    case GraphInput: inputs.Add(ReadValueInfo(f.Bytes)); break;
                    case GraphOutput: outputs.Add(ReadValueInfo(f.Bytes)); break;
                    case GraphValueInfo: infos.Add(ReadValueInfo(f.Bytes)); break;
                }
            }
            return new OnnxGraph(name, nodes.ToImmutable(), initializers.ToImmutable(), inputs.ToImmutable(), outputs.ToImmutable(), infos.ToImmutable(), doc);
        }

        private static OnnxNode ReadNode(ReadOnlyMemory<byte> bytes)
        {
            string name = "", op = "";
            var inputs = ImmutableArray.CreateBuilder<string>();
            var outputs = ImmutableArray.CreateBuilder<string>();
            var attributes = ImmutableArray.CreateBuilder<OnnxAttribute>();
            foreach (var f in ProtoReader.Fields(bytes))
            {
                switch (f.Number)
                {
                    case NodeInput: inputs.Add(f.Text); break;
                    case NodeOutput: outputs.Add(f.Text); break;
                    case NodeName: name = f.Text; break;
                    case NodeOpType: op = f.Text; break;
                    case NodeAttribute: attributes.Add(ReadAttribute(f.Bytes)); break;
                }
            }
            return new OnnxNode(op, name, inputs.ToImmutable(), outputs.ToImmutable(), attributes.ToImmutable());
        }

        private static OnnxAttribute ReadAttribute(ReadOnlyMemory<byte> bytes)
        {
            string name = "";
            string? text = null;
            long type = 0, i = 0;
            double value = 0;
            var ints = ImmutableArray.CreateBuilder<long>();
            var floats = ImmutableArray.CreateBuilder<double>();
            foreach (var f in ProtoReader.Fields(bytes))
            {
                switch (f.Number)
                {
                    case AttrName: name = f.Text; break;
                    case AttrF: value = f.Float; break;
                    case AttrI: i = f.Int; break;
                    case AttrS: text = f.Text; break;
                    case AttrInts: ints.AddRange(f.Ints()); break;
                    case AttrFloats: floats.Add(f.Float); break;
                    case AttrType: type = f.Int; break;
                }
            }
            return new OnnxAttribute(name, (OnnxAttributeType)type, value, i, text, ints.ToImmutable(), floats.ToImmutable());
        }

        private static OnnxTensor ReadTensor(ReadOnlyMemory<byte> bytes)
        {
            string name = "";
            long type = 0;
            var dims = ImmutableArray.CreateBuilder<long>();
            byte[] raw = Array.Empty<byte>();
            foreach (var f in ProtoReader.Fields(bytes))
            {
                switch (f.Number)
                {
                    case TensorDims: dims.AddRange(f.Ints()); break;
                    case TensorDataType: type = f.Int; break;
                    case TensorName: name = f.Text; break;
                    case TensorRawData: raw = f.Bytes.ToArray(); break;
                }
            }
            return new OnnxTensor(name, (OnnxDataType)type, dims.ToImmutable(), raw);
        }

        private static OnnxValueInfo ReadValueInfo(ReadOnlyMemory<byte> bytes)
        {
            string name = "";
            long elem = 0;
            var shape = ImmutableArray.CreateBuilder<OnnxDim>();
            foreach (var f in ProtoReader.Fields(bytes))
            {
                if (f.Number == ValueName) name = f.Text;
                else if (f.Number == ValueType)
                {
                    foreach (var t in ProtoReader.Fields(f.Bytes).Where(t => t.Number == TypeTensor))
                    {
                        foreach (var tf in ProtoReader.Fields(t.Bytes))
                        {
                            if (tf.Number == TensorElemType) elem = tf.Int;
                            else if (tf.Number == TensorShape)
                            {
                                foreach (var d in ProtoReader.Fields(tf.Bytes).Where(d => d.Number == ShapeDim))
                                {
                                    var parts = ProtoReader.Fields(d.Bytes);
                                    var param = parts.Where(p => p.Number == DimParam).Select(p => p.Text).FirstOrDefault();
                                    var value = parts.Where(p => p.Number == DimValue).Select(p => p.Int).FirstOrDefault();
                                    shape.Add(new OnnxDim(value, param));
                                }
                            }
                        }
                    }
                }
            }
            return new OnnxValueInfo(name, (OnnxDataType)elem, shape.ToImmutable());
        }
    }
}
