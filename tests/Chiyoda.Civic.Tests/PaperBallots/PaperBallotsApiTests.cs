using System.Net;
using System.Net.Http.Json;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using static Chiyoda.Civic.Tests.PaperBallots.PaperApi;

namespace Chiyoda.Civic.Tests.PaperBallots;

[Collection(PlatformCollection.Name)]
public sealed class PaperBallotsApiTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_file_with_every_kind_of_bad_line_gets_a_line_by_line_report_and_nothing_is_counted()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        var roundId = await RoundAsync(admin, "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8");
        var batchId = await OpenBatchAsync(clerk, roundId, 16);
        var d = Today;
        var file =
            "ballot_serial , facility ,cast_date,voter_key,choices\r\n" +
            $"A-001,F01,{d},v1,1;4;7\r\n" +                          // 2 fine
            $" A-002 ,\"F01\", {d} ,\"v2\",\" 2 ; 3 \"\r\n" +         // 3 stray spaces and quotes
            $"A-003,F01,{d},v3,\r\n" +                                 // 4 blank ballot
            $"A-004,F01,{d},v4,1;2;3;4\r\n" +                          // 5 too many
            $"A-005,F01,{d},v5,8\r\n" +                                // 6 unknown proposal
            $"A-006,F01,{d},v6,1;x\r\n" +                              // 7 unreadable
            $"A-007,F01,{d},nobody,1\r\n" +                            // 8 not on register
            $"A-008,F01,{d},young,1\r\n" +                             // 9 under age on the cast date
            $"A-009,F01,2020-01-01,v7,1\r\n" +                         // 10 cast outside the window
            $"A-001,F01,{d},v8,2\r\n" +                                // 11 serial repeated
            $"A-011,F01,2024/13/01,v8,1\r\n" +                         // 12 bad date
            $",F01,{d},v8,1\r\n" +                                     // 13 no serial
            $"A-013,F01,{d},v8\r\n" +                                  // 14 wrong field count
            $"A-014,F01,{d},\"v8\"x,1\r\n" +                           // 15 bad quoting
            $"A-015,F01,{d},v:8,1\r\n" +                               // 16 bad voter key
            $"A-016,F01,{d},v8,2;2\r\n";                               // 17 same proposal twice

        var report = await HttpAssertions.JsonAsync(await ImportAsync(clerk, roundId, batchId, Utf8(file, bom: true)), 200);

        var lines = ByLine(report);
        Assert.Equal(16, lines.Count);
        Assert.Equal(("accepted-for-commit", null), lines[2]);
        Assert.Equal(("accepted-for-commit", null), lines[3]);
        Assert.Equal(("invalid", "no-choice"), lines[4]);
        Assert.Equal(("invalid", "too-many-choices"), lines[5]);
        Assert.Equal(("invalid", "unknown-proposal"), lines[6]);
        Assert.Equal(("invalid", "unreadable"), lines[7]);
        Assert.Equal(("ineligible", "not-on-register"), lines[8]);
        Assert.Equal(("ineligible", "under-age"), lines[9]);
        Assert.Equal(("ineligible", "cast-date-outside-window"), lines[10]);
        Assert.Equal(("re-entered", "repeated-serial"), lines[11]);
        Assert.Equal(("malformed", "bad-cast-date"), lines[12]);
        Assert.Equal(("malformed", "missing-serial"), lines[13]);
        Assert.Equal(("malformed", "wrong-field-count"), lines[14]);
        Assert.Equal(("malformed", "bad-quoting"), lines[15]);
        Assert.Equal(("malformed", "bad-voter-key"), lines[16]);
        Assert.Equal(("invalid", "duplicate-choice"), lines[17]);
        var turnout = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/turnout"), 200);
        Assert.Equal(0, turnout.GetProperty("paperVoters").GetInt32());
    }

    [Fact]
    public async Task Shift_JIS_and_full_width_digits_read_as_the_same_ballots_as_UTF_8_so_the_two_keyings_agree()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        var roundId = await RoundAsync(admin, "v1", "v2");
        var batchId = await OpenBatchAsync(clerk, roundId, 2);
        var d = Today;
        var wide = string.Concat(d.Select(c => char.IsAsciiDigit(c) ? (char)('０' + (c - '0')) : c));
        var utf8 = $"ballot_serial,facility,cast_date,voter_key,choices\nJ-1,F01,{d},v1,3;5\nJ-2,F01,{d},v2,1\n";
        var sjis = $"ballot_serial,facility,cast_date,voter_key,choices\r\nＪ-１,F01,{wide},ｖ１,\"５；３\"\r\n　J-2　,\"F01\",{d},v2,１\r\n";

        var first = await HttpAssertions.JsonAsync(await ImportAsync(clerk, roundId, batchId, Utf8(utf8)), 200);
        var second = await HttpAssertions.JsonAsync(await ImportAsync(clerk2, roundId, batchId, ShiftJis.GetBytes(sjis)), 200);

        Assert.All(ByLine(second).Values, l => Assert.Equal("accepted-for-commit", l.Outcome));
        Assert.Equal("agreed", second.GetProperty("batch").GetProperty("summary").GetProperty("status").GetString());
        Assert.Equal(2, first.GetProperty("lines").GetInt32());
    }

    [Fact]
    public async Task A_file_that_is_not_a_ballot_file_is_refused_whole_with_the_reason()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        var roundId = await RoundAsync(admin, "v1");
        var batchId = await OpenBatchAsync(clerk, roundId, 1);

        var register = await ImportAsync(clerk, roundId, batchId, Utf8("voter_key,name_kana,birthdate,postcode\nv1,ア,2000-01-01,102-8688\n"));
        var binary = await ImportAsync(clerk, roundId, batchId, [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0xFF, 0xFE]);
        // As a well-behaved uploader does, ask first: the server refuses before the body is sent.
        using var tooLarge = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/rounds/{roundId}/paper-batches/{batchId}/keyings")
        {
            Content = new ByteArrayContent(new byte[33 * 1024 * 1024]) { Headers = { ContentType = new("text/csv") } },
            Headers = { ExpectContinue = true },
        };
        var large = await clerk.SendAsync(tooLarge);

        await HttpAssertions.ProblemAsync(register, 400, "not-a-paper-ballot-file");
        await HttpAssertions.ProblemAsync(binary, 400, "not-a-paper-ballot-file");
        await HttpAssertions.ProblemAsync(large, 413, "file-too-large");
        var batch = await HttpAssertions.JsonAsync(await clerk.GetAsync($"/api/v1/rounds/{roundId}/paper-batches/{batchId}"), 200);
        Assert.Equal("open", batch.GetProperty("batch").GetProperty("summary").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Only_clerks_key_only_administrators_resolve_force_and_list_facilities_and_residents_see_nothing()
    {
        using var anonymous = await platform.ApiClientAsync();
        using var resident = await platform.ApiClientAsync("resident-45");
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        var roundId = await RoundAsync(admin, "v1", "v2");
        var batchId = await OpenBatchAsync(clerk, roundId, 3);
        var paper = $"/api/v1/rounds/{roundId}/paper-batches";
        var file = Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nZ-1,F01,{Today},v1,1\nZ-2,F01,{Today},v2,2\n");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(paper)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await resident.GetAsync(paper)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await resident.GetAsync($"/api/v1/rounds/{roundId}/facilities")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ImportAsync(resident, roundId, batchId, file)).StatusCode);
        await HttpAssertions.ProblemAsync(await ImportAsync(admin, roundId, batchId, file), 403, "forbidden");
        await HttpAssertions.ProblemAsync(await clerk.PutAsJsonAsync($"/api/v1/rounds/{roundId}/facilities", new[] { new { code = "F09", name = "x" } }), 403, "forbidden");

        await HttpAssertions.JsonAsync(await ImportAsync(clerk, roundId, batchId, file), 200);
        await HttpAssertions.JsonAsync(await ImportAsync(clerk2, roundId, batchId,
            Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nZ-1,F01,{Today},v1,1\nZ-2,F01,{Today},v2,3\n")), 200);
        var resolution = new { key = "Z-2", choice = "second" };
        await HttpAssertions.ProblemAsync(await clerk.PostAsJsonAsync($"{paper}/{batchId}/resolutions", resolution), 403, "forbidden");
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{paper}/{batchId}/resolutions", resolution), 200);
        await HttpAssertions.ProblemAsync(await clerk.PostAsJsonAsync($"{paper}/{batchId}/commit", new { forcedReason = (string?)null }), 409, "reconciliation-mismatch");
        await HttpAssertions.ProblemAsync(await clerk.PostAsJsonAsync($"{paper}/{batchId}/commit", new { forcedReason = "clerk tries" }), 403, "forbidden");

        var committed = await CommitAsync(admin, roundId, batchId, "the third ballot was a blank sheet of paper");

        Assert.Equal("the third ballot was a blank sheet of paper",
            committed.GetProperty("batch").GetProperty("commit").GetProperty("forcedReason").GetString());
        var audit = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/audit?action=paper.&take=100"), 200);
        var actions = audit.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("actorSub").GetString())).ToList();
        Assert.Contains(("paper.disagreement-resolved", "admin"), actions);
        Assert.Contains(("paper.batch-commit-forced", "admin"), actions);
        Assert.Contains(("paper.batch-keyed", "clerk-2"), actions);
    }

    [Fact]
    public async Task Typed_and_imported_keyings_resolved_and_committed_paper_beats_online_both_ways_and_re_importing_counts_nothing_twice()
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        using var voter2 = await platform.ApiClientAsync("voter:w2");
        using var voter3 = await platform.ApiClientAsync("voter:w3");
        var roundId = await RoundAsync(admin, "w1", "w2", "w3");
        var paper = $"/api/v1/rounds/{roundId}/paper-batches";
        await HttpAssertions.JsonAsync(await voter2.SendAsync(PlatformVoting.Ballot(roundId, "on-2", 6)), 200);
        var batchId = await OpenBatchAsync(clerk, roundId, 3);

        var typed = await HttpAssertions.JsonAsync(await clerk.PostAsJsonAsync($"{paper}/{batchId}/keyings", new
        {
            lines = new[]
            {
                new { serial = "T-1", facility = "F01", castDate = Today, voterKey = "w1", choices = "1;2", unreadable = false },
                new { serial = "T-2", facility = "F01", castDate = Today, voterKey = "w2", choices = "3", unreadable = false },
                new { serial = "T-3", facility = "F01", castDate = Today, voterKey = "w3", choices = "4", unreadable = false },
            },
        }), 200);
        var imported = await HttpAssertions.JsonAsync(await ImportAsync(clerk2, roundId, batchId,
            Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nT-1,F01,{Today},w1,1;2\nT-2,F01,{Today},w2,3\nT-3,F01,{Today},w3,5\n")), 200);

        Assert.Equal("keyed-once", typed.GetProperty("batch").GetProperty("summary").GetProperty("status").GetString());
        var disagreement = imported.GetProperty("batch").GetProperty("disagreements").EnumerateArray().Single();
        Assert.Equal("T-3", disagreement.GetProperty("key").GetString());
        Assert.Equal(("4", "5"), (disagreement.GetProperty("first").GetProperty("choices").GetString(), disagreement.GetProperty("second").GetProperty("choices").GetString()));
        // Only the disputed fields are shown: the voter key, on which the clerks agree, is not shown beside the choices.
        Assert.Equal(("", ""), (disagreement.GetProperty("first").GetProperty("voterKey").GetString(), disagreement.GetProperty("second").GetProperty("voterKey").GetString()));
        await HttpAssertions.ProblemAsync(await clerk.PostAsJsonAsync($"{paper}/{batchId}/commit", new { }), 409, "keyings-disagree");
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{paper}/{batchId}/resolutions", new
        {
            key = "T-3", choice = "rekey", line = new { serial = "T-3", facility = "F01", castDate = Today, voterKey = "w3", choices = "4;5" },
        }), 200);

        var committed = await CommitAsync(clerk, roundId, batchId);
        var online3 = await voter3.SendAsync(PlatformVoting.Ballot(roundId, "on-3", 1));

        var final = FinalBySerial(committed);
        Assert.Equal(("accepted", null), final["T-1"]);
        Assert.Equal(("accepted-superseding-online", null), final["T-2"]);
        Assert.Equal(("accepted", null), final["T-3"]);
        await HttpAssertions.ProblemAsync(online3, 409, "superseded-by-paper");
        var turnout = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/turnout"), 200);
        Assert.Equal((0, 3), (turnout.GetProperty("onlineVoters").GetInt32(), turnout.GetProperty("paperVoters").GetInt32()));

        var again = await OpenBatchAsync(clerk, roundId, 3);
        var sameFile = Utf8($"ballot_serial,facility,cast_date,voter_key,choices\nT-1,F01,{Today},w1,1;2\nT-2,F01,{Today},w2,3\nT-3,F01,{Today},w3,4;5\n");
        var reimport = await HttpAssertions.JsonAsync(await ImportAsync(clerk, roundId, again, sameFile), 200);
        await HttpAssertions.JsonAsync(await ImportAsync(clerk2, roundId, again, sameFile), 200);
        // Every line is the same ballot entered again: the box adds up to nothing new, so only an administrator's reason commits it.
        await HttpAssertions.ProblemAsync(await clerk.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches/{again}/commit", new { }), 409, "reconciliation-mismatch");
        var recommitted = await CommitAsync(admin, roundId, again, "the same box imported again");

        Assert.All(ByLine(reimport).Values, l => Assert.Equal(("re-entered", "serial-already-recorded"), l));
        Assert.All(FinalBySerial(recommitted).Values, l => Assert.Equal(("re-entered", "serial-already-recorded"), l));
        var after = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/turnout"), 200);
        Assert.Equal(3, after.GetProperty("paperVoters").GetInt32());
        var facilities = await HttpAssertions.JsonAsync(await clerk.GetAsync($"{paper}/reconciliation"), 200);
        var f01 = facilities.EnumerateArray().Single(f => f.GetProperty("facilityCode").GetString() == "F01").GetProperty("totals");
        Assert.Equal((6, 6, 2, 1, 0, 3), (f01.GetProperty("ballotsInBox").GetInt32(), f01.GetProperty("keyed").GetInt32(),
            f01.GetProperty("accepted").GetInt32(), f01.GetProperty("acceptedSupersedingOnline").GetInt32(), f01.GetProperty("duplicate").GetInt32(),
            f01.GetProperty("reentered").GetInt32()));
    }
}
