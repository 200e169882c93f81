using System.Collections.Concurrent;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Abstractions.Results;

namespace Chiyoda.Civic.Web.Counting;

/// <summary>What a count or certification is doing: its answer once done, else its stage (<see cref="CountingService.CountingStages"/>).</summary>
public sealed record CountingOperationStatus(string RoundId, string Kind, string Status, string? Stage, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

/// <summary>
/// Counts and certifications run here, apart from the request that asked for them: a large round's recount reads
/// every stored ballot and may take minutes, longer than a request should wait or a proxy allows. The API waits a
/// while for the answer and otherwise answers 202 with where to ask (docs/api.md, "Counting"). One operation per
/// round and kind runs at a time (asking again while it runs joins it); the last finished one is kept for its answer.
/// Each step is idempotent, so an operation lost with its process is simply asked for again.
/// </summary>
public sealed class CountingOperations(IServiceScopeFactory scopes, TimeProvider time, ILogger<CountingOperations> logger)
{
    public const string Count = "count";
    public const string Certify = "certify";

    private readonly ConcurrentDictionary<(string RoundId, string Kind), Operation> _operations = new();

    /// <summary>Starts the count or certification of a round, or joins the one running.</summary>
    public Operation Start(string roundId, string kind, Actor actor)
    {
        lock (_operations)
        {
            if (_operations.TryGetValue((roundId, kind), out var running) && !running.Answer.IsCompleted)
            {
                return running;
            }

            // Running before it is listed: a status request never sees an operation without its task.
            var operation = new Operation(roundId, kind, time.GetUtcNow());
            operation.Answer = Task.Run(() => RunAsync(operation, actor));
            _operations[(roundId, kind)] = operation;
            return operation;
        }
    }

    public Operation? Find(string roundId, string kind) => _operations.GetValueOrDefault((roundId, kind));

    private async Task<CountingAnswer> RunAsync(Operation operation, Actor actor)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var counting = scope.ServiceProvider.GetRequiredService<CountingService>();
            void Progress(string stage) => operation.Stage = stage;
            if (operation.Kind == Count)
            {
                var (report, refused) = await counting.CountAsync(operation.RoundId, actor, Progress);
                return new(report, refused);
            }

            return new(null, await counting.CertifyAsync(operation.RoundId, actor, Progress));
        }
        catch (Exception e)
        {
            logger.LogError(e, "The {Kind} of round {RoundId} failed", operation.Kind, operation.RoundId);
            throw;
        }
        finally
        {
            operation.FinishedAt = time.GetUtcNow();
        }
    }

    public sealed class Operation(string roundId, string kind, DateTimeOffset startedAt)
    {
        public string RoundId { get; } = roundId;
        public string Kind { get; } = kind;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public volatile string? Stage;
        public DateTimeOffset? FinishedAt { get; set; }
        public Task<CountingAnswer> Answer { get; set; } = Task.FromResult(new CountingAnswer(null, null));

        public CountingOperationStatus Status() =>
            new(RoundId, Kind, Answer.IsCompleted ? (Answer.IsCompletedSuccessfully ? "done" : "failed") : "running", Stage, StartedAt, FinishedAt);
    }
}

/// <summary>A count's report, or a step's result (certification's view, or a refusal).</summary>
public sealed record CountingAnswer(CountReport? Report, CommandResult<ResultsView>? Result);
