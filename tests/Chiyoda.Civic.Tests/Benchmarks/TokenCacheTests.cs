using Chiyoda.Civic.LoadGenerator;

namespace Chiyoda.Civic.Tests.Benchmarks;

/// <summary>The online benchmark's token cache on a fresh clone, where its folder (.data/) does not exist yet.</summary>
public sealed class TokenCacheTests
{
    [Fact]
    public async Task The_cache_is_written_into_a_folder_that_does_not_exist_yet_and_read_back()
    {
        var root = Path.Combine(Path.GetTempPath(), $"civic-clone-{Guid.NewGuid():N}");
        var file = Path.Combine(root, ".data", "bench-tokens.tsv");
        try
        {
            Assert.Empty(TokenCache.Read(file));
            await TokenCache.WriteAsync(file, [new("d-0001", "token-a"), new("d-0002", "token-b")]);
            Assert.Equal([("d-0001", "token-a"), ("d-0002", "token-b")], TokenCache.Read(file).OrderBy(t => t.Key).ToList());
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
