using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Results;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>
/// ballots.csv and the PABULIB votes section write the ballots in <see cref="PublishedBallots.InIdOrder"/>: the same ballots
/// arriving in two different orders give the same rows, so the order of rows can never say who voted when.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class BallotFileOrderTests
{
    [Fact]
    public void Two_arrival_orders_give_the_same_rows_in_ballot_id_order()
    {
        var ballots = Enumerable.Range(0, 200)
            .Select(i => new PublishedBallot(Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64())), i % 7 == 0 ? BallotChannel.Paper : BallotChannel.Online, [i % 7 + 1]))
            .ToList();
        var arrival = ballots.OrderBy(_ => Random.Shared.Next()).ToList();
        var other = Enumerable.Reverse(ballots).ToList();
        Assert.NotEqual(arrival.Select(b => b.BallotId), other.Select(b => b.BallotId));

        static string Rows(IEnumerable<PublishedBallot> list) =>
            string.Join("\r\n", PublishedBallots.InIdOrder(list).Select(b => $"{b.BallotId},{b.Channel},{string.Join(';', b.Choices)}"));

        Assert.Equal(Rows(arrival), Rows(other));
        var ids = PublishedBallots.InIdOrder(arrival).Select(b => b.BallotId).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }
}
