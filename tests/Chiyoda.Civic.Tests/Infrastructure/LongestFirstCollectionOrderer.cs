using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Chiyoda.Civic.Tests.Infrastructure.LongestFirstCollectionOrderer", "Chiyoda.Civic.Tests")]

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// Starts the three platforms' browser collections first (minutes each), then the short collections, and the fault tests
/// (four and a half minutes, mostly waiting) last. With four collections at a time (xunit.runner.json), the short ones fill
/// the fourth lane while the platforms run, and the fault cluster's silos start once the platforms are up rather than beside
/// their start (four such starts at once on two cores timed out the platforms' start-up in a run with other load). A timed
/// clean-clone run with three lanes (2026-12-02) used 1.2 of the 2 cores on average and could not end before ~16 minutes
/// whatever the order (about 2,900 s of collections over three lanes), hence the fourth lane.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private static readonly string[] Longest = [WalkPlatformCollection.Name, SecondPlatformCollection.Name, PlatformCollection.Name];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(Rank)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    private static int Rank(ITestCollection collection) =>
        collection.DisplayName == Faults.FaultCollection.Name ? int.MaxValue
        : Array.IndexOf(Longest, collection.DisplayName) is var rank and >= 0 ? rank
        : Longest.Length;
}
