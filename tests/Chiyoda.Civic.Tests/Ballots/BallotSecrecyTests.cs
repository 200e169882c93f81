using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Tally;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Ballots;

/// <summary>Someone who reads the ballot table (or a backup of it) learns who has a ballot, never how they voted.</summary>
[Collection(PlatformCollection.Name)]
public sealed class BallotSecrecyTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_stored_ballot_shows_no_choices_and_opens_only_with_the_key_in_its_own_row()
    {
        using var admin = await platform.ApiClientAsync("admin");
        var keys = new[] { $"sa{Guid.NewGuid():N}"[..12], $"sb{Guid.NewGuid():N}"[..12] };
        var roundId = await PaperApi.RoundAsync(admin, keys);
        foreach (var key in keys)
        {
            using var voter = await platform.ApiClientAsync("voter:" + key);
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "secret-" + key, 2, 5, 7)), 200);
        }

        var table = new TableClient(platform.StorageConnectionString, "CivicBallots");
        var rows = new List<TableEntity>();
        foreach (var key in keys)
        {
            var partition = $"{platform.ServiceId}_{roundId}_{ShardHash.Shard(key, TallySharding.ShardCount):00}";
            rows.Add((await table.GetEntityAsync<TableEntity>(partition, key)).Value);
        }

        foreach (var row in rows)
        {
            var data = row.GetBinary("Data");
            var text = Encoding.UTF8.GetString(data) + "|" + row.GetString("Choices");
            Assert.DoesNotContain("Choices", text, StringComparison.Ordinal);
            Assert.DoesNotContain("2,5,7", text, StringComparison.Ordinal);
            Assert.DoesNotContain("voter:", text, StringComparison.Ordinal);
            Assert.ThrowsAny<System.Text.Json.JsonException>(() => System.Text.Json.JsonDocument.Parse(data));

            // With the key, in its own row, it opens; with another key, or moved to another voter's row, it does not.
            var key = SealedBallots.DevelopmentKey();
            Assert.Equal("2,5,7", SealedBallots.OpenText(key, row.GetString("Choices"), row.PartitionKey, row.RowKey, "Choices"));
            Assert.Contains("\"Choices\":[2,5,7]", Encoding.UTF8.GetString(SealedBallots.Open(key, data, row.PartitionKey, row.RowKey, "Data")), StringComparison.Ordinal);
            Assert.ThrowsAny<CryptographicException>(() => SealedBallots.Open(RandomNumberGenerator.GetBytes(32), data, row.PartitionKey, row.RowKey, "Data"));
        }

        // The sealed values are padded: their length does not tell how many proposals a voter chose.
        var third = $"sc{Guid.NewGuid():N}"[..12];
        await PlatformVoting.LoadRegisterAsync(admin, roundId, "voter_key,name_kana,birthdate,postcode\n" + PlatformVoting.Adult(third));
        using (var voter = await platform.ApiClientAsync("voter:" + third))
        {
            await HttpAssertions.JsonAsync(await voter.SendAsync(PlatformVoting.Ballot(roundId, "secret-" + third, 4)), 200);
        }

        var single = (await table.GetEntityAsync<TableEntity>($"{platform.ServiceId}_{roundId}_{ShardHash.Shard(third, TallySharding.ShardCount):00}", third)).Value;
        Assert.Equal(rows[0].GetString("Choices").Length, single.GetString("Choices").Length);

        var other = rows[1];
        Assert.ThrowsAny<CryptographicException>(() => SealedBallots.Open(SealedBallots.DevelopmentKey(), rows[0].GetBinary("Data"), other.PartitionKey, other.RowKey, "Data"));
    }
}
