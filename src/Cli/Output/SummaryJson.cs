using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ArchDsl.Cli.Output
{
    /// <summary>The JSON form of summaries; docs/cli.md documents it and it is kept stable
    /// (fields are only ever added).</summary>
    public static class SummaryJson
    {
        /// <summary>A JSON array with one object per network; <paramref name="withLayers"/> adds each network's rows.</summary>
        public static string Format(IEnumerable<NetworkSummary> networks, bool withLayers)
        {
            using var stream = new MemoryStream();
            var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            using (var json = new Utf8JsonWriter(stream, options))
            {
                json.WriteStartArray();
                foreach (var network in networks) WriteNetwork(json, network, withLayers);
                json.WriteEndArray();
            }
            return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n") + "\n";
        }

        private static void WriteNetwork(Utf8JsonWriter json, NetworkSummary network, bool withLayers)
        {
            json.WriteStartObject();
            json.WriteString("name", network.Name);
            json.WriteString("file", network.File);
            json.WriteNumber("line", network.Line);
            WriteShape(json, "input", network.Input);
            WriteShape(json, "output", network.Output);
            json.WriteNumber("params", network.Params);
            json.WriteNumber("buffers", network.Buffers);
            json.WriteNumber("macs", network.Macs);
            json.WriteNumber("memoryAccess", network.MemoryAccess);
            json.WriteNumber("activationElements", network.ActivationElements);
            if (network.Reference is null) json.WriteNull("reference");
            else json.WriteString("reference", network.Reference);
            json.WriteNumber("bufferElements", network.BufferElements);
            json.WriteNumber("stateDictKeys", network.StateDictKeys);
            if (network.NamedOutputs.Length > 0)
            {
                json.WriteStartArray("outputs");
                foreach (var o in network.NamedOutputs)
                {
                    json.WriteStartObject();
                    json.WriteString("name", o.Name);
                    WriteShape(json, "shape", o.Shape);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (network.Data is { } data)
            {
                json.WriteStartObject("data");
                json.WriteNumber("resize", data.Resize);
                json.WriteString("interpolation", data.Interpolation);
                json.WriteStartArray("mean");
                foreach (var v in data.Mean) json.WriteNumberValue(v);
                json.WriteEndArray();
                json.WriteStartArray("std");
                foreach (var v in data.Std) json.WriteNumberValue(v);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            if (withLayers)
            {
                json.WriteStartArray("layers");
                foreach (var layer in network.Layers.IsDefault ? new LayerRow[0] : (IEnumerable<LayerRow>)network.Layers)
                {
                    json.WriteStartObject();
                    json.WriteString("path", layer.Path);
                    json.WriteString("operation", layer.Operation);
                    WriteShape(json, "output", layer.OutputShape);
                    json.WriteNumber("params", layer.Params);
                    json.WriteNumber("macs", layer.Macs);
                    json.WriteNumber("memoryAccess", layer.MemoryAccess);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }

        private static void WriteShape(Utf8JsonWriter json, string name, ImmutableArray<long> shape)
        {
            json.WriteStartArray(name);
            foreach (var dimension in Numbers.Dimensions(shape)) json.WriteNumberValue(dimension);
            json.WriteEndArray();
        }
    }
}
