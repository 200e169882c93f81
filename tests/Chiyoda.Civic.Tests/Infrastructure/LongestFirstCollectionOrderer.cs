using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Chiyoda.Civic.Tests.Infrastructure.LongestFirstCollectionOrderer", "Chiyoda.Civic.Tests")]

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// Starts the longest collections first: the three platforms' browser collections take minutes each, then the fault
/// tests (four and a half minutes, mostly waiting), everything else seconds. With four collections at a time
/// (xunit.runner.json), a platform collection that happened to start last added its whole length to the suite's;
/// started first, the short collections fill the fourth lane after the fault tests. A timed clean-clone run with three
/// lanes (2026-12-02) used 1.2 of the 2 cores on average and could not end before ~16 minutes whatever the order (about
/// 2,900 s of collections over three lanes), so a fourth lane runs beside them.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private static readonly string[] Longest = [WalkPlatformCollection.Name, SecondPlatformCollection.Name, PlatformCollection.Name, Faults.FaultCollection.Name];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => Array.IndexOf(Longest, c.DisplayName) is var rank and >= 0 ? rank : Longest.Length)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
