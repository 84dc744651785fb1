namespace ArchDsl.Runtime { internal static class RuntimeInfo { } }
