using Chiyoda.Civic.Replay;

// Usage: dotnet Chiyoda.Civic.Replay.dll [web-url] [identity-provider-url] [round-id]
var web = new Uri(args.Length > 0 ? args[0] : "http://localhost:5000/");
var identity = new Uri(args.Length > 1 ? args[1] : "http://localhost:5100/");
var replay = new Replay2024(web, identity, Console.Out);
var outcome = await replay.RunAsync(args.Length > 2 ? args[2] : null);
var problems = outcome.Problems();
foreach (var problem in problems)
{
    Console.Error.WriteLine("MISMATCH: " + problem);
}

Console.WriteLine(problems.Count == 0
    ? $"OK: round {outcome.RoundId} published {outcome.PublishedVoters} voters, {outcome.PublishedVotes} votes; adopted {string.Join(", ", outcome.PublishedAdopted)}"
    : $"FAILED: {problems.Count} mismatch(es) in round {outcome.RoundId}");
return problems.Count == 0 ? 0 : 1;
