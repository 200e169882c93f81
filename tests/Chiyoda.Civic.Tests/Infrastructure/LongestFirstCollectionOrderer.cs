using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Chiyoda.Civic.Tests.Infrastructure.LongestFirstCollectionOrderer", "Chiyoda.Civic.Tests")]

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// Starts the longest collections first: the three platforms' browser collections take minutes each, then the fault
/// tests (three and a half minutes, mostly waiting), everything else seconds. With three collections at a time
/// (xunit.runner.json), a platform collection that happened to start last added its whole length to the suite's;
/// started first, the short collections fill the lanes beside them. The fault cluster starts fourth, when the first
/// platform is done, so its three silos do not start while the three platforms do.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private static readonly string[] Longest = [WalkPlatformCollection.Name, SecondPlatformCollection.Name, PlatformCollection.Name, Faults.FaultCollection.Name];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => Array.IndexOf(Longest, c.DisplayName) is var rank and >= 0 ? rank : Longest.Length)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
