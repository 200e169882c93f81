using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chiyoda.Civic.Grains.Notifications;

[GenerateSerializer, Alias("civic.notification-inbox-state")]
public sealed class NotificationInboxState
{
    [Id(0)] public List<Notice> Notices { get; set; } = [];

    /// <summary>Where new notices are emailed (recorded by the web app from the person's "email" claim); null: none known.</summary>
    [Id(1)] public string? Email { get; set; }

    /// <summary>The email of each notice delivered while email was on and an address was known; only for notices still kept.</summary>
    [Id(2)] public List<NoticeMail> Mails { get; set; } = [];

    /// <summary>Ids of notices taken back (the last <see cref="NotificationInboxGrain.Capacity"/>): a late redelivery of one is ignored.</summary>
    [Id(3)] public List<string> Withdrawn { get; set; } = [];
}

/// <summary>
/// Keeps a person's latest notices and, when email is configured, emails each new one. The inbox is
/// bounded so its stored state stays far below Azure Table's entity limit however long a person takes part.
/// </summary>
/// <remarks>
/// Email never holds up the notice: the notice and its queued email are stored in one write, the call
/// returns, and a grain timer sends afterwards, interleaved with other calls so a slow or dead SMTP
/// server delays nobody. Each result (sent, or failed with the next attempt's time) is stored before
/// the next email, so a restart resumes the queue without sending an email twice, except one whose
/// acceptance by the server was not yet stored (it keeps its Message-ID, see <see cref="NoticeEmail"/>).
/// While an email is queued a durable reminder wakes the grain, so retries survive a restart.
/// </remarks>
[GrainType("notification-inbox")]
public sealed class NotificationInboxGrain(
    [PersistentState("inbox", StorageNames.GrainState)] IPersistentState<NotificationInboxState> state,
    TimeProvider time,
    IOptions<NoticeEmailOptions> emailOptions,
    ILogger<NotificationInboxGrain> logger,
    INoticeMailer? mailer = null) : Grain, INotificationInboxGrain, IRemindable
{
    public const int Capacity = 200;
    public const string MailReminderName = "notice-mail";

    /// <summary>Only a backstop for restarts (the timer does the timely work); Orleans allows no less than a minute.</summary>
    public static readonly TimeSpan MailReminderPeriod = TimeSpan.FromMinutes(5);

    private const int MaxErrorLength = 300;
    private const int MaxAddressLength = 254;

    // Writes from grain calls and from the interleaved mail timer take turns: two overlapping writes of
    // one state would conflict on its ETag.
    private readonly SemaphoreSlim _writing = new(1, 1);
    // Notices added in memory whose write has not finished: the interleaved timer must not email them yet
    // (the inbox is written first; should that write fail, the notice was never delivered).
    private readonly HashSet<string> _unsaved = new(StringComparer.Ordinal);
    // The email being handed to the server now (by the interleaved timer): a withdrawal of its notice waits for the outcome.
    private (string NoticeId, Task Done)? _inFlight;
    private IGrainTimer? _mailTimer;
    private bool _sending;
    private bool _sendAgain;
    private bool _reminderRegistered;

    private NotificationInboxState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // After a restart (woken by the reminder, or by any call), the queue is picked up where it stopped.
        if (mailer is not null && S.Mails.Any(m => m.Status == NoticeMailStatus.Pending))
        {
            ScheduleMail(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    Task INotificationInboxGrain.DeliverAsync(Notice notice) => DeliverAsync(notice, null);

    Task INotificationInboxGrain.DeliverWithFooterAsync(Notice notice, NoticeMailFooter footer) => DeliverAsync(notice, footer);

    private async Task DeliverAsync(Notice notice, NoticeMailFooter? footer)
    {
        if (S.Notices.Any(n => n.NoticeId == notice.NoticeId) || S.Withdrawn.Contains(notice.NoticeId))
        {
            return;
        }

        var now = time.GetUtcNow();
        S.Notices.Add(notice with { Read = false });
        var queued = mailer is not null && S.Email is not null;
        if (queued)
        {
            S.Mails.Add(new NoticeMail(notice.NoticeId, S.Email!, NoticeMailStatus.Pending, 0, now, now, Footer: footer));
        }

        if (S.Notices.Count > Capacity)
        {
            S.Notices = [.. S.Notices.OrderByDescending(n => n.At).Take(Capacity)];
            S.Mails.RemoveAll(m => S.Notices.All(n => n.NoticeId != m.NoticeId));
        }

        _unsaved.Add(notice.NoticeId);
        try
        {
            await WriteAsync();
        }
        finally
        {
            _unsaved.Remove(notice.NoticeId);
        }

        if (queued)
        {
            ScheduleMail(TimeSpan.Zero);
        }
    }

    Task<IReadOnlyList<Notice>> INotificationInboxGrain.ListAsync(int max) =>
        Task.FromResult<IReadOnlyList<Notice>>([.. S.Notices.OrderByDescending(n => n.At).Take(Math.Clamp(max, 1, Capacity))]);

    async Task INotificationInboxGrain.MarkReadAsync(string noticeId)
    {
        var index = S.Notices.FindIndex(n => n.NoticeId == noticeId);
        if (index < 0 || S.Notices[index].Read)
        {
            return;
        }

        S.Notices[index] = S.Notices[index] with { Read = true };
        await WriteAsync();
    }

    Task INotificationInboxGrain.WithdrawAsync(string noticeId) => WithdrawAsync(noticeId, null);

    Task INotificationInboxGrain.WithdrawWithCorrectionAsync(string noticeId, Notice correction) => WithdrawAsync(noticeId, correction);

    private async Task WithdrawAsync(string noticeId, Notice? correction)
    {
        if (S.Withdrawn.Contains(noticeId))
        {
            return;
        }

        // An email of this notice on its way to the server right now: wait for the outcome, so whether it went is known.
        if (_inFlight is { } flight && flight.NoticeId == noticeId)
        {
            await flight.Done;
            if (S.Withdrawn.Contains(noticeId))
            {
                return;
            }
        }

        var sent = S.Mails.FirstOrDefault(m => m.NoticeId == noticeId && m.Status == NoticeMailStatus.Sent);
        S.Notices.RemoveAll(n => n.NoticeId == noticeId);
        // An email already accepted by the server cannot be called back; one still queued is simply not sent.
        S.Mails.RemoveAll(m => m.NoticeId == noticeId && m.Status != NoticeMailStatus.Sent);
        S.Withdrawn.Add(noticeId);
        if (S.Withdrawn.Count > Capacity)
        {
            S.Withdrawn.RemoveRange(0, S.Withdrawn.Count - Capacity);
        }

        // Only someone who was emailed the wrong notice is told it was withdrawn; the rest simply no longer see it.
        var correcting = correction is not null && sent is not null && S.Notices.All(n => n.NoticeId != correction.NoticeId);
        var queued = false;
        if (correcting)
        {
            S.Notices.Add(correction! with { Read = false });
            if (mailer is not null)
            {
                var now = time.GetUtcNow();
                // The correction goes as the step did: to the same address, saying why, with the same stop link.
                S.Mails.Add(new NoticeMail(correction!.NoticeId, sent!.To, NoticeMailStatus.Pending, 0, now, now, Footer: sent.Footer));
                queued = true;
            }

            if (S.Notices.Count > Capacity)
            {
                S.Notices = [.. S.Notices.OrderByDescending(n => n.At).Take(Capacity)];
                S.Mails.RemoveAll(m => S.Notices.All(n => n.NoticeId != m.NoticeId));
            }

            _unsaved.Add(correction!.NoticeId);
        }

        try
        {
            await WriteAsync();
        }
        finally
        {
            if (correcting)
            {
                _unsaved.Remove(correction!.NoticeId);
            }
        }

        if (queued)
        {
            ScheduleMail(TimeSpan.Zero);
        }
    }

    async Task<bool> INotificationInboxGrain.RecordEmailAsync(string address)
    {
        address = address?.Trim() ?? "";
        // A plain mailbox only (no display name, no list): the address goes into a To header as it is.
        if (address.Length is 0 or > MaxAddressLength || !System.Net.Mail.MailAddress.TryCreate(address, out var parsed) ||
            parsed.Address != address || !string.IsNullOrEmpty(parsed.DisplayName))
        {
            return false;
        }

        if (S.Email != address)
        {
            S.Email = address;
            await WriteAsync();
        }

        return true;
    }

    Task<InboxMail> INotificationInboxGrain.GetMailAsync() => Task.FromResult(new InboxMail(S.Email, [.. S.Mails]));

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != MailReminderName)
        {
            return;
        }

        _reminderRegistered = true;
        if (mailer is null || S.Mails.All(m => m.Status != NoticeMailStatus.Pending))
        {
            // Email was switched off, or the queue emptied while the reminder was not known to this activation.
            await StopReminderAsync();
            return;
        }

        // Sent by the interleaved timer, not in this (non-interleaved) turn, so the inbox stays free.
        ScheduleMail(TimeSpan.Zero);
    }

    private void ScheduleMail(TimeSpan dueTime)
    {
        if (_sending)
        {
            // The running pass looks again before it ends.
            _sendAgain = true;
            return;
        }

        if (_mailTimer is null)
        {
            _mailTimer = this.RegisterGrainTimer(_ => SendDueMailAsync(),
                new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        }
        else
        {
            _mailTimer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task SendDueMailAsync()
    {
        if (_sending)
        {
            _sendAgain = true;
            return;
        }

        _sending = true;
        try
        {
            do
            {
                _sendAgain = false;
                await SendDueOnceAsync();
            }
            while (_sendAgain);
        }
        finally
        {
            _sending = false;
        }

        var pending = S.Mails.Where(m => m.Status == NoticeMailStatus.Pending).ToList();
        if (pending.Count == 0)
        {
            await StopReminderAsync();
            return;
        }

        var wait = pending.Min(m => m.NextAttemptAt) - time.GetUtcNow();
        ScheduleMail(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    private async Task SendDueOnceAsync()
    {
        if (mailer is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var due = S.Mails.Where(m => m.Status == NoticeMailStatus.Pending && m.NextAttemptAt <= now && !_unsaved.Contains(m.NoticeId)).ToList();
        if (due.Count == 0)
        {
            return;
        }

        await StartReminderAsync();
        foreach (var mail in due)
        {
            var notice = S.Notices.FirstOrDefault(n => n.NoticeId == mail.NoticeId);
            NoticeMail outcome;
            if (notice is null)
            {
                outcome = mail with { Status = NoticeMailStatus.Failed, LastError = "The notice is no longer kept in the inbox." };
            }
            else
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _inFlight = (mail.NoticeId, done.Task);
                try
                {
                    try
                    {
                        await mailer.SendAsync(mail.To, notice, mail.Footer, CancellationToken.None);
                        outcome = mail with { Status = NoticeMailStatus.Sent, Attempts = mail.Attempts + 1, SentAt = time.GetUtcNow(), LastError = null };
                    }
                    catch (Exception e)
                    {
                        outcome = Failed(mail, e);
                    }

                    await RecordAsync(mail, outcome);
                }
                finally
                {
                    _inFlight = null;
                    done.TrySetResult();
                }

                continue;
            }

            await RecordAsync(mail, outcome);
        }
    }

    private async Task RecordAsync(NoticeMail mail, NoticeMail outcome)
    {
        // The list may have changed while the email was being sent (a delivery, a pruned notice).
        var index = S.Mails.FindIndex(m => m.NoticeId == mail.NoticeId);
        if (index >= 0)
        {
            S.Mails[index] = outcome;
            await WriteAsync();
        }
    }

    private NoticeMail Failed(NoticeMail mail, Exception e)
    {
        var attempts = mail.Attempts + 1;
        var delays = emailOptions.Value.Delays;
        var error = $"{e.GetType().Name}: {e.Message}";
        error = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        if (attempts > delays.Count)
        {
            logger.LogError(e, "Email of notice {NoticeId} given up after {Attempts} attempts", mail.NoticeId, attempts);
            return mail with { Status = NoticeMailStatus.Failed, Attempts = attempts, LastError = error };
        }

        var next = time.GetUtcNow() + delays[attempts - 1];
        logger.LogWarning(e, "Email of notice {NoticeId} failed (attempt {Attempts}); next attempt at {Next:O}", mail.NoticeId, attempts, next);
        return mail with { Attempts = attempts, NextAttemptAt = next, LastError = error };
    }

    private async Task StartReminderAsync()
    {
        if (_reminderRegistered)
        {
            return;
        }

        try
        {
            await this.RegisterOrUpdateReminder(MailReminderName, MailReminderPeriod, MailReminderPeriod);
            _reminderRegistered = true;
        }
        catch (Exception e)
        {
            // The timer still sends; only a restart before the queue empties would wait for the next call to this inbox.
            logger.LogWarning(e, "Inbox {Inbox}: mail reminder not registered", this.GetPrimaryKeyString());
        }
    }

    private async Task StopReminderAsync()
    {
        try
        {
            if ((_reminderRegistered ? await this.GetReminder(MailReminderName) : null) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _reminderRegistered = false;
        }
        catch (Exception e)
        {
            // Harmless: the next tick finds nothing queued and tries again.
            logger.LogWarning(e, "Inbox {Inbox}: mail reminder not removed", this.GetPrimaryKeyString());
        }
    }

    private async Task WriteAsync()
    {
        await _writing.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory now holds what storage may not: start the next call from what is stored, never answer from memory.
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            _writing.Release();
        }
    }
}
