using System.Text.Json;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Implementation;
using Chiyoda.Civic.Grains.Comments;
using Chiyoda.Civic.Grains.Implementation;

namespace Chiyoda.Civic.Tests.Common;

/// <summary>Request ids with a digest of what they asked: a retry is told from a reuse, the list stays bounded, old state still loads.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class RememberedRequestsTests
{
    private static readonly DateOnly Day = new(2024, 11, 26);

    [Fact]
    public void The_same_id_with_the_same_command_is_a_repeat_and_with_another_command_a_reuse()
    {
        var requests = new RememberedRequests();
        var first = RememberedRequests.Digest("post", "sub-1", null, "最初の言葉", false);
        Assert.Equal(RequestSeen.New, requests.Check("r1", first, out var nothing));
        Assert.Null(nothing);

        requests.Remember("r1", first, "c-0001", capacity: 4);
        Assert.Equal(RequestSeen.Repeated, requests.Check("r1", RememberedRequests.Digest("post", "sub-1", null, "最初の言葉", false), out var made));
        Assert.Equal("c-0001", made);
        Assert.Equal(RequestSeen.Reused, requests.Check("r1", RememberedRequests.Digest("post", "sub-1", null, "別の言葉", false), out var old));
        Assert.Equal("c-0001", old);
        Assert.Equal(RequestSeen.New, requests.Check("r2", first, out _));
    }

    [Fact]
    public void The_digest_is_stable_for_the_same_command_and_changes_with_any_part_of_it()
    {
        var change = new StatusChange("budget-consideration", Day, "検討します。", null, "政策経営部 DX戦略課");
        var digest = RememberedRequests.Digest("status", "department", change);
        Assert.Equal(64, digest.Length);
        Assert.Equal(digest, RememberedRequests.Digest("status", "department", change with { }));
        Assert.NotEqual(digest, RememberedRequests.Digest("status", "department", change with { StatusId = "budget-passed" }));
        Assert.NotEqual(digest, RememberedRequests.Digest("status", "department", change with { Date = Day.AddDays(1) }));
        Assert.NotEqual(digest, RememberedRequests.Digest("status", "department", change with { NoteEn = "" }));
        Assert.NotEqual(digest, RememberedRequests.Digest("status", "admin", change));
        Assert.NotEqual(digest, RememberedRequests.Digest("details", "department", change));

        // Lists and numbers: order and value count; the parts are not run together ("ab" + "c" is not "a" + "bc").
        var links = new ImplementationDetails(12_000_000, [new("概要", "https://www.city.chiyoda.lg.jp/"), new("資料", "https://example.jp/")]);
        Assert.Equal(RememberedRequests.Digest("details", links), RememberedRequests.Digest("details", links with { Links = [.. links.Links] }));
        Assert.NotEqual(RememberedRequests.Digest("details", links), RememberedRequests.Digest("details", links with { Links = [.. links.Links.Reverse()] }));
        Assert.NotEqual(RememberedRequests.Digest("details", links), RememberedRequests.Digest("details", links with { BudgetYen = 12_000_001 }));
        Assert.NotEqual(RememberedRequests.Digest("x", "ab", "c"), RememberedRequests.Digest("x", "a", "bc"));
    }

    [Fact]
    public void At_most_capacity_requests_are_kept_the_oldest_going_first()
    {
        var requests = new RememberedRequests();
        for (var i = 1; i <= 5; i++)
        {
            requests.Remember($"r{i}", $"d{i}", null, capacity: 3);
        }

        Assert.Equal(["r3", "r4", "r5"], requests.Entries.Select(e => e.RequestId));
        Assert.Equal(RequestSeen.New, requests.Check("r1", "d1", out _));
        Assert.Equal(RequestSeen.Repeated, requests.Check("r3", "d3", out _));

        // Remembering an id again moves it to the newest place instead of keeping two entries.
        requests.Remember("r3", "d3", null, capacity: 3);
        Assert.Equal(["r4", "r5", "r3"], requests.Entries.Select(e => e.RequestId));
    }

    [Fact]
    public void Ids_stored_before_digests_still_answer_a_retry_with_any_content_and_stay_older_than_new_ones()
    {
        var requests = new RememberedRequests();
        requests.Remember("new", "d-new", "c-0003", capacity: 3);
        requests.Adopt([("old-1", "c-0001"), ("old-2", "c-0002"), ("new", "c-9999")], capacity: 3);

        Assert.Equal(["old-1", "old-2", "new"], requests.Entries.Select(e => e.RequestId));
        Assert.Equal(RequestSeen.Repeated, requests.Check("old-2", "anything", out var made));
        Assert.Equal("c-0002", made);
        Assert.Equal(RequestSeen.Reused, requests.Check("new", "other", out _));

        // Beyond the capacity the oldest (adopted) ones go first.
        requests.Remember("newer", "d", null, capacity: 3);
        Assert.Equal(["old-2", "new", "newer"], requests.Entries.Select(e => e.RequestId));
    }

    [Fact]
    public void Grain_state_stored_before_this_class_loads_with_its_old_ids_and_round_trips_with_the_new_ones()
    {
        // The grain-state serializer is System.Text.Json: rows written before carry only the old lists.
        var implementation = JsonSerializer.Deserialize<ImplementationState>("""{"Exists":true,"Version":3,"RecentRequests":["s1","s2"]}""")!;
        Assert.Equal(["s1", "s2"], implementation.RecentRequests);
        Assert.Empty(implementation.Requests.Entries);

        var comments = JsonSerializer.Deserialize<CommentThreadState>("""{"Requests":[{"Key":"f1","Value":"c-0001"}],"NextNumber":2}""")!;
        Assert.Equal("c-0001", Assert.Single(comments.Requests).Value);
        Assert.Empty(comments.Posts.Entries);

        comments.Posts.Remember("f2", RememberedRequests.Digest("post", "s", null, "t", false), "c-0002", 64);
        var again = JsonSerializer.Deserialize<CommentThreadState>(JsonSerializer.Serialize(comments))!;
        Assert.Equal(RequestSeen.Repeated, again.Posts.Check("f2", RememberedRequests.Digest("post", "s", null, "t", false), out var made));
        Assert.Equal("c-0002", made);
    }
}
