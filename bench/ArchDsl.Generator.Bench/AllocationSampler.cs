using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;

namespace ArchDsl.Generator.Bench;

/// <summary>What a stage allocates, by type: the runtime's allocation-tick events (one per ~100 KB allocated,
/// naming the type of the object that crossed the mark), counted while the listener is alive.</summary>
sealed class AllocationSampler : EventListener
{
    readonly Dictionary<string, long> bytes = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName == null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload == null) return;
        int typeAt = e.PayloadNames!.IndexOf("TypeName"), amountAt = e.PayloadNames.IndexOf("AllocationAmount64");
        if (typeAt < 0) return;
        var type = e.Payload[typeAt] as string ?? "?";
        long amount = amountAt >= 0 ? Convert.ToInt64(e.Payload[amountAt]) : 100_000;
        lock (bytes) bytes[type] = bytes.TryGetValue(type, out var b) ? b + amount : amount;
    }

    public IEnumerable<(string Type, long Bytes)> Top(int n)
    {
        lock (bytes) return bytes.OrderByDescending(kv => kv.Value).Take(n).Select(kv => (kv.Key, kv.Value)).ToList();
    }
}
