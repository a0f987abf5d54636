using Onshi.Core.Common;
using Onshi.Core.Features.Passwords;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Passwords;

public sealed class PasswordPolicyTests
{
    private const string UserId = "SAMPLE01";
    private const string Good = "Kx7#mP2q";

    private static readonly DateTime Now = new(2025, 4, 1, 0, 30, 0, DateTimeKind.Utc);

    private readonly PasswordPolicy _policy = PasswordTestOptions.Policy();

    [Fact]
    public void Validate_GoodPassword_NoErrors()
    {
        _policy.Validate(UserId, Good).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_SevenCharacters_TooShortWithJapaneseMessage()
    {
        OnshiError error = _policy.Validate(UserId, "Kx7#mP2").ShouldHaveSingleItem();

        error.Code.ShouldBe(PasswordErrors.TooShortCode);
        error.Code.ShouldBe("password.too_short");
        error.Message.ShouldBe("パスワードは8文字以上で入力してください。");
        error.Field.ShouldBe("NewPassword");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Validate_Empty_TooShort(string? candidate)
    {
        Codes(UserId, candidate).ShouldBe([PasswordErrors.TooShortCode]);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    public void Validate_LongPassPhrase_Accepted(int length)
    {
        string candidate = Repeat("Kx7#", length);

        candidate.Length.ShouldBe(length);
        _policy.Validate(UserId, candidate).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_129Characters_TooLong()
    {
        OnshiError error = _policy.Validate(UserId, Repeat("Kx7#", 129)).ShouldHaveSingleItem();

        error.Code.ShouldBe("password.too_long");
        error.Message.ShouldBe("パスワードは128文字以内で入力してください。");
    }

    [Fact]
    public void Validate_NoLetter_MissingLetter()
    {
        Codes(UserId, "2958#3716!").ShouldBe(["password.missing_letter"]);
    }

    [Fact]
    public void Validate_NoDigit_MissingDigit()
    {
        Codes(UserId, "Kxq#mPwz").ShouldBe(["password.missing_digit"]);
    }

    [Fact]
    public void Validate_NoSymbol_MissingSymbol()
    {
        Codes(UserId, "Kx7qmP2q").ShouldBe(["password.missing_symbol"]);
    }

    [Fact]
    public void Validate_ClassRulesSwitchedOff_NoClassErrors()
    {
        PasswordPolicy relaxed = PasswordTestOptions.Policy(o =>
        {
            o.RequireLetter = false;
            o.RequireDigit = false;
            o.RequireSymbol = false;
        });

        relaxed.Validate(UserId, "Kxq7mPwz").ShouldBeEmpty();
    }

    [Fact]
    public void Validate_SeveralProblems_AllReportedAtOnce()
    {
        Codes(UserId, "kxqmp").ShouldBe(["password.too_short", "password.missing_digit", "password.missing_symbol"]);
    }

    [Theory]
    [InlineData("Kx7#mP2ｑ")] // one full-width letter
    [InlineData("Ｋｘ７＃ｍＰ２ｑ")] // typed with the IME on
    [InlineData("パスワード7#Kx")]
    [InlineData("Kx7#mP2q\t")]
    [InlineData("Kx7#mP2q€")]
    public void Validate_NonAsciiOrControlCharacter_InvalidCharacterOnly(string candidate)
    {
        OnshiError error = _policy.Validate(UserId, candidate).ShouldHaveSingleItem();

        error.Code.ShouldBe("password.invalid_character");
        error.Message.ShouldContain("半角英数字・記号");
    }

    [Fact]
    public void Validate_SpaceInside_Accepted()
    {
        _policy.Validate(UserId, "Kx7# mP2q").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("SAMPLE01", "xSAMPLE01#Q")]
    [InlineData("SAMPLE01", "#q9sample01")]
    [InlineData("SAMPLE01", "Ab#SaMpLe01")]
    [InlineData("0123456", "Ab#0123456")]
    public void Validate_ContainsUserIdInAnyCase_Rejected(string userId, string candidate)
    {
        Codes(userId, candidate).ShouldContain("password.contains_user_id");
    }

    [Fact]
    public void Validate_UserIdNotContained_NoUserIdError()
    {
        Codes("SAMPLE01", "SAMPLE0#Kq7").ShouldNotContain("password.contains_user_id");
        Codes(null, Good).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("password1!")]
    [InlineData("Password1!")]
    [InlineData("P@ssw0rd")]
    [InlineData("Pa$$w0rd1")]
    [InlineData("Qwerty123!")]
    [InlineData("1qaz2wsx!")]
    [InlineData("Sakura2025!")]
    [InlineData("#2025Tokyo!")]
    [InlineData("Hospital#1")]
    [InlineData("Clinic-0001")]
    [InlineData("Admin@1234")]
    [InlineData("Kanri#2025")]
    [InlineData("Iryou2025!")]
    [InlineData("Dragon#99")]
    [InlineData("Adm1n#2025")]
    public void Validate_CommonPasswordOrTrivialVariant_Rejected(string candidate)
    {
        OnshiError error = _policy.Validate(UserId, candidate).ShouldHaveSingleItem();

        error.Code.ShouldBe("password.common");
        error.Message.ShouldContain("推測されやすい");
    }

    [Theory]
    [InlineData("Kx7#mP2q")]
    [InlineData("Umeboshi-Tenpura-42")]
    [InlineData("7#Kx9$Lm")]
    public void Validate_UncommonPassword_NotCommon(string candidate)
    {
        Codes(UserId, candidate).ShouldNotContain("password.common");
    }

    [Fact]
    public void CommonPasswordList_Embedded_HoldsThousandsOfEntries()
    {
        CommonPasswordList.Count.ShouldBeGreaterThan(5000);
        CommonPasswordList.IsCommon("ILOVEYOU").ShouldBeTrue();
        CommonPasswordList.IsCommon("iryou").ShouldBeTrue();
    }

    [Fact]
    public void MatchesHistory_CurrentPassword_True()
    {
        Argon2idPasswordHasher hasher = PasswordTestOptions.Hasher();
        string current = hasher.Hash(Good);

        _policy.MatchesHistory([current], Good).ShouldBeTrue();
    }

    [Fact]
    public void MatchesHistory_ThirdPreviousPassword_True()
    {
        Argon2idPasswordHasher hasher = PasswordTestOptions.Hasher();
        string[] hashes = [hasher.Hash("Current#1a"), hasher.Hash("Previous#1a"), hasher.Hash("Previous#2a"), hasher.Hash(Good)];

        _policy.MatchesHistory(hashes, Good).ShouldBeTrue();
        _policy.ReusedError().Code.ShouldBe("password.reused");
        _policy.ReusedError().Message.ShouldBe("現在のパスワードや過去3回以内に使用したパスワードは使用できません。");
    }

    [Fact]
    public void MatchesHistory_OlderThanHistoryCount_False()
    {
        Argon2idPasswordHasher hasher = PasswordTestOptions.Hasher();
        string[] hashes = [hasher.Hash("Current#1a"), hasher.Hash("Previous#1a"), hasher.Hash("Previous#2a"), hasher.Hash("Previous#3a"), hasher.Hash(Good)];

        _policy.MatchesHistory(hashes, Good).ShouldBeFalse();
    }

    [Fact]
    public void MatchesHistory_NewPasswordOrEmptyHashes_False()
    {
        Argon2idPasswordHasher hasher = PasswordTestOptions.Hasher();

        _policy.MatchesHistory([hasher.Hash("Current#1a"), "", "garbage"], Good).ShouldBeFalse();
        _policy.MatchesHistory([], Good).ShouldBeFalse();
    }

    [Fact]
    public void ComputeExpiry_ThirteenCharacters_NeverExpires()
    {
        _policy.ComputeExpiry("Kx7#mP2qRt5$w", Now).ShouldBeNull();
    }

    [Fact]
    public void ComputeExpiry_TwelveCharacters_Expires90DaysLater()
    {
        _policy.ComputeExpiry("Kx7#mP2qRt5$", Now).ShouldBe(Now.AddDays(90));
    }

    [Fact]
    public void ComputeExpiry_ExemptionRaisedAboveMaxLength_AlwaysExpires()
    {
        PasswordPolicy policy = PasswordTestOptions.Policy(o => o.NonExpiringLength = 129);

        policy.ComputeExpiry(Repeat("Kx7#", 128), Now).ShouldBe(Now.AddDays(90));
    }

    [Fact]
    public void TemporaryExpiry_Default_SevenDaysLater()
    {
        _policy.TemporaryExpiry(Now).ShouldBe(new DateTime(2025, 4, 8, 0, 30, 0, DateTimeKind.Utc));
    }

    [Theory]
    [InlineData("Onshi-2025!x")]
    [InlineData("my0nsh1Pass#9")] // swapped characters
    [InlineData("On$hi-Pass#42")]
    [InlineData("Shikaku#Kakunin1")]
    [InlineData("Kx7#IryoKikan")] // 医療機関
    [InlineData("OnshiPass#2025")] // not "championship"
    [InlineData("x9#MYNUMBERcard")]
    [InlineData("Mhlw#2025pass")]
    [InlineData("ShiharaiKikin#7")]
    [InlineData("P0rt@l-Login#7")]
    public void Validate_ProductOrOrganisationWord_RejectedWithJapaneseMessage(string candidate)
    {
        OnshiError error = _policy.Validate(UserId, candidate).ShouldHaveSingleItem();

        error.Code.ShouldBe(PasswordErrors.ContainsContextWordCode);
        error.Field.ShouldBe(PasswordErrors.PasswordField);
        error.Message.ShouldEndWith("が含まれているため使用できません。このシステムや運営機関の名称（ローマ字を含む）、医療機関等コード・医療機関等名・メールアドレス・氏名の一部は含めないでください。");
        error.Message.ShouldNotContain(candidate);
    }

    /// <summary>Issue 14 (11): the message listed internal words (onshi, shikaku) instead of saying which one was refused.</summary>
    [Theory]
    [InlineData("my0nsh1Pass#9", "onshi")]
    [InlineData("Shikaku#Pass71", "shikaku")]
    [InlineData("P0rt@l-Login#7", "portal")]
    [InlineData("Kx7#IryoKikan", "iryokikan")]
    public void Validate_ProductWord_MessageNamesTheRefusedWord(string candidate, string word)
    {
        var message = _policy.Validate(UserId, candidate).ShouldHaveSingleItem().Message;

        message.ShouldStartWith($"パスワードに推測されやすい語句「{word}」が含まれているため使用できません。");
        if (word != "onshi")
        {
            message.ShouldNotContain("onshi");
        }
    }

    [Theory]
    [InlineData("Championship#2026")] // "onshi" inside an ordinary word
    [InlineData("Relationship-Goals9")]
    [InlineData("Championships!2026")]
    [InlineData("Kx7#Relations")]
    public void Validate_ProductWordOnlyInsideAnOrdinaryWord_Accepted(string candidate)
    {
        _policy.Validate(UserId, candidate).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_OqsAccount_InstitutionCodeAndLatinPartsOfItsNameRejected()
    {
        PasswordContext context = PasswordContext.ForOqsAccount("1310000018", "医療法人ＳＡＫＵＲＡ会 さくらクリニック", "受付 花子");

        _policy.Validate(UserId, "Kx#1310000018", context).Select(e => e.Code).ShouldBe([PasswordErrors.ContainsContextWordCode]);
        _policy.Validate(UserId, "Kx#131-000-0018", context).Select(e => e.Code).ShouldBe([PasswordErrors.ContainsContextWordCode]);
        _policy.Validate(UserId, "Sakura#Kx7q", context).Select(e => e.Code).ShouldBe([PasswordErrors.ContainsContextWordCode]);
        _policy.Validate(UserId, Good, context).ShouldBeEmpty();
        _policy.Validate(UserId, "Kx#13100000q", context).ShouldBeEmpty(); // part of the code only
        context.Words.ShouldBe(["1310000018", "sakura"]); // a kana/kanji name gives no ASCII word
    }

    [Fact]
    public void Validate_PortalUser_EmailLocalPartAndItsPartsRejected_ShortPartsIgnored()
    {
        PasswordContext context = PasswordContext.ForPortalUser("taro.yamada@clinic.example.jp", "Yamada Taro");

        _policy.Validate("taro.yamada@clinic.example.jp", "Yamada#2025kx", context).Select(e => e.Code).ShouldBe([PasswordErrors.ContainsContextWordCode]);
        _policy.Validate("taro.yamada@clinic.example.jp", "Kx7#TaroYamada", context).Select(e => e.Code).ShouldBe([PasswordErrors.ContainsContextWordCode]);
        _policy.Validate("taro.yamada@clinic.example.jp", "Clinic#2025kx", context).ShouldBeEmpty(); // the domain is not the user's word
        PasswordContext.ForPortalUser("ab@example.jp", null).Words.ShouldBeEmpty(); // under four characters
    }

    [Fact]
    public void Validate_DeploymentWords_FromOptions_Rejected()
    {
        PasswordPolicy policy = PasswordTestOptions.Policy(o => o.ContextWords.Add("Kokuho-Center"));

        policy.Validate(UserId, "kokuhocenter#9X").Select(e => e.Code).ShouldBe([PasswordErrors.ContainsContextWordCode]);
        policy.Validate(UserId, Good).ShouldBeEmpty();
        PasswordContext.ProductWords.ShouldAllBe(w => w.Length >= PasswordContext.MinWordLength && w.All(char.IsAsciiLetterLower));
    }

    private string[] Codes(string? userId, string? candidate) => [.. _policy.Validate(userId, candidate).Select(static e => e.Code)];

    private static string Repeat(string unit, int length) =>
        string.Concat(Enumerable.Repeat(unit, (length / unit.Length) + 1))[..length];
}
