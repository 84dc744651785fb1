namespace ArchDsl.Generator.Pipeline
{
    /// <summary>Names of the generator's steps, as the driver reports them when step tracking is on.</summary>
    public static class TrackingNames
    {
        public const string Options = nameof(Options);
        public const string ArchFiles = nameof(ArchFiles);
        public const string AllArchFiles = nameof(AllArchFiles);
        public const string Units = nameof(Units);
        public const string Collisions = nameof(Collisions);
        public const string Outputs = nameof(Outputs);
        public const string Sources = nameof(Sources);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Registry = nameof(Registry);
    }
}
