using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Onshi.Core.Features.Mail;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>The outbox writes RFC 5322 files a mail client opens, sortable by time, and reads them back.</summary>
public sealed class OutboxMailSenderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("onshi-outbox-").FullName;

    [Fact]
    public async Task SendAsync_WritesRfc5322File_WithEncodedJapaneseSubject_SortableNames()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 6, 0, 30, 0, TimeSpan.Zero));
        var sender = new OutboxMailSender(Options.Create(new MailOptions { OutboxDirectory = directory }), time, NullLogger<OutboxMailSender>.Instance);

        await sender.SendAsync(new MailMessageData("a@example.jp", "【医療機関等向け総合ポータルサイト】メールアドレスの確認（長い件名のため折り返されます）", "本文\nhttps://x.example/Account/Verify?token=abc"),
            TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await sender.SendAsync(new MailMessageData("b@example.jp", "二通目", "本文2"), TestContext.Current.CancellationToken);

        var files = Directory.GetFiles(directory, "*.eml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        files.Count.ShouldBe(2);
        var raw = await File.ReadAllTextAsync(Path.Combine(directory, files[0]!), TestContext.Current.CancellationToken);
        raw.ShouldContain("Content-Type: text/plain; charset=utf-8\r\n");
        raw.ShouldContain("MIME-Version: 1.0\r\n");
        raw.ShouldContain("Date: Mon, 06 Jan 2025 00:30:00 +0000\r\n");
        raw.ShouldMatch(@"Message-ID: <\d+\.[0-9a-f]{16}@onshi\.local>\r\n");
        raw.ShouldContain("From: =?utf-8?B?");
        raw.Split("\r\n\r\n")[0].Split("\r\n").ShouldAllBe(line => line.Length <= 78 && line.All(c => c < 128));
        var messages = OutboxReader.ReadAll(directory);
        messages.Select(m => m.To).ShouldBe(["b@example.jp", "a@example.jp"]);
        messages[1].Subject.ShouldBe("【医療機関等向け総合ポータルサイト】メールアドレスの確認（長い件名のため折り返されます）");
        messages[1].Body.ShouldBe("本文\nhttps://x.example/Account/Verify?token=abc");
        OutboxReader.Links(messages[1]).ShouldBe(["https://x.example/Account/Verify?token=abc"]);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
