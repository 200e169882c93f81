using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Abstractions.Proposals;

/// <summary>A demo proposal as it stands at the end of screening (shortlisted, declined or withdrawn).</summary>
[GenerateSerializer, Immutable, Alias("civic.demo-proposal-seed")]
public sealed record DemoProposalSeed(
    [property: Id(0)] Actor Author,
    [property: Id(1)] ProposalContent Content,
    [property: Id(2)] ProposalStatus Status,
    [property: Id(3)] int Stage,
    [property: Id(4)] int? BallotNumber,
    [property: Id(5)] string? Reason,
    [property: Id(6)] DateTimeOffset SubmittedAt);

/// <summary>
/// Seeding only, for the demo round (Demo:Enabled): writes a proposal straight into its end state,
/// which the status machine cannot reach once voting has opened. Implemented by the proposal grain
/// (same key, same state); no service or API endpoint calls it: only DemoProposalsSeeder does.
/// A proposal that already exists is returned unchanged, so seeding on every start adds nothing twice.
/// </summary>
[Alias("civic.IProposalDemoSeedingGrain")]
public interface IProposalDemoSeedingGrain : IGrainWithStringKey
{
    [Alias("seed-demo")]
    Task<ProposalView> SeedDemoAsync(DemoProposalSeed seed);
}
