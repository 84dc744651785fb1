using System;
using System.IO;
using ArchDsl.Tests;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>The hand-rolled snapshot helper (tests/Shared/Snapshot.cs) and its diff.</summary>
    public sealed class SnapshotTests : IDisposable
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "archdsl-snapshot-" + Guid.NewGuid().ToString("N"));

        public SnapshotTests() => Directory.CreateDirectory(folder);

        public void Dispose() => Directory.Delete(folder, recursive: true);

        private string SourceFile => Path.Combine(folder, "FakeTests.cs");

        [Fact]
        public void FileNames_FollowVerifysConventions()
        {
            var (verified, received) = Snapshot.FilesFor(SourceFile, "Emits", "res net/50", "cs", "Snapshots");

            Assert.Equal(Path.Combine(folder, "Snapshots", "FakeTests.Emits_res_net_50.verified.cs"), verified);
            Assert.Equal(Path.Combine(folder, "Snapshots", "FakeTests.Emits_res_net_50.received.cs"), received);
        }

        [Fact]
        public void MissingVerifiedFile_FailsAndWritesReceived()
        {
            var failure = Assert.Throws<SnapshotMismatchException>(() => Snapshot.Verify("new", testName: "T", sourceFile: SourceFile));

            Assert.Contains("No verified snapshot", failure.Message);
            Assert.Equal("new\n", File.ReadAllText(Path.Combine(folder, "FakeTests.T.received.txt")));
        }

        [Fact]
        public void Mismatch_FailsWithAUnifiedDiff()
        {
            File.WriteAllText(Path.Combine(folder, "FakeTests.T.verified.txt"), "a\nb\nc\nd\ne\nf\ng\nh\n");

            var failure = Assert.Throws<SnapshotMismatchException>(() =>
                Snapshot.Verify("a\nb\nc\nD\ne\nf\ng\nh\ni\n", testName: "T", sourceFile: SourceFile));

            Assert.Contains("--- verified\n+++ received\n@@ -1,8 +1,9 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n+i\n", failure.Message);
            Assert.True(File.Exists(Path.Combine(folder, "FakeTests.T.received.txt")));
        }

        [Fact]
        public void Match_PassesAndRemovesAStaleReceivedFile()
        {
            File.WriteAllText(Path.Combine(folder, "FakeTests.T.verified.txt"), "same\r\n");
            File.WriteAllText(Path.Combine(folder, "FakeTests.T.received.txt"), "old\n");

            Snapshot.Verify("same", testName: "T", sourceFile: SourceFile);

            Assert.False(File.Exists(Path.Combine(folder, "FakeTests.T.received.txt")));
        }

        [Theory]
        [InlineData("", "x\n", "@@ -0,0 +1,1 @@\n+x\n")]
        [InlineData("x\n", "", "@@ -1,1 +0,0 @@\n-x\n")]
        [InlineData("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nXII\n", "@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+XII\n")]
        public void Diff_PrintsHunksWithContext(string before, string after, string expectedHunks) =>
            Assert.Equal("--- a\n+++ b\n" + expectedHunks, SnapshotDiff.Unified(before, after, "a", "b"));

        [Fact]
        public void Diff_SeparatesDistantChangesIntoHunks()
        {
            var before = string.Join("\n", System.Linq.Enumerable.Range(1, 30)) + "\n";
            var after = before.Replace("\n2\n", "\ntwo\n").Replace("\n28\n", "\ntwenty-eight\n");

            var diff = SnapshotDiff.Unified(before, after, "a", "b");

            Assert.Equal(2, diff.Split("@@ -").Length - 1);
            Assert.Contains("-2\n+two\n", diff);
            Assert.Contains("-28\n+twenty-eight\n", diff);
        }
    }
}
