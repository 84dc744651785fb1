namespace ArchDsl.Runtime
{
    /// <summary>A generated module in the dataflow form (a body with indexed names, e.g. CliqueNet's block): its
    /// forward runs steps recorded by the constructor over named tensors, so the order its children are registered
    /// in is not the order data flows through them, and a batch norm is not known to follow the layer registered
    /// before it. Inference fusion leaves such a module's own children unfolded.</summary>
    public interface IDataflowModule
    {
    }
}
