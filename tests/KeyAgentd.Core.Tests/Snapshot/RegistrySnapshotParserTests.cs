using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

public class RegistrySnapshotParserTests
{
    [Fact]
    public void Design_example_with_real_keys_parses_completely()
    {
        var snapshot = RegistryJson.Parse(RegistryJson.ReadmeExample());

        Assert.Equal("keyagentd.registry/v1", snapshot.Schema);
        Assert.Equal(42, snapshot.Serial);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), snapshot.IssuedAt);
        Assert.Equal(new DateTimeOffset(2026, 12, 21, 10, 0, 0, TimeSpan.Zero), snapshot.ExpiresAt);
        Assert.Equal(["alice@example.com", "bob@example.com"], snapshot.People.Keys.Order(StringComparer.Ordinal));
        var aliceKey = Assert.Single(snapshot.People["alice@example.com"].Keys);
        Assert.Equal(RegistryJson.Alice, aliceKey.Key);
        Assert.Equal("laptop", aliceKey.Label);
        Assert.Equal(new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero), aliceKey.NotAfter);
        Assert.Null(aliceKey.Owner);
        var deploy = snapshot.Accounts["deploy"];
        Assert.Equal(["alice@example.com", "bob@example.com"], deploy.Grants);
        Assert.Equal("no-agent-forwarding,from=\"10.0.0.0/8\"", deploy.Options);
        Assert.Equal("ci", Assert.Single(deploy.Keys).Owner);
        var root = snapshot.Accounts["root"];
        Assert.Null(root.Options);
        Assert.Empty(root.Keys);
        Assert.Equal([RegistryJson.RevokedFingerprint], snapshot.Revoked);
        Assert.Empty(snapshot.Rejections);
    }

    [Fact]
    public void Unknown_fields_at_every_level_are_ignored()
    {
        string json = RegistryJson.Minimal(
            accountsJson: """{"deploy":{"grants":["a"],"team":"ops","future":{"x":[1,2]}}}""",
            peopleJson: $$$"""{"a":{"display_name":"A","keys":[{"key":"{{{RegistryJson.CiBot}}}","added_by":"hr"}]}}""",
            extra: ""","generator":{"name":"portal","version":3}""");

        var snapshot = RegistryJson.Parse(RegistryJson.Bytes(json));

        Assert.Equal(["a"], snapshot.Accounts["deploy"].Grants);
        Assert.Single(snapshot.People["a"].Keys);
    }

    [Fact]
    public void Optional_fields_may_be_absent_or_null()
    {
        string json = RegistryJson.Minimal(
            accountsJson: """{"web":{"options":null,"keys":null}}""",
            peopleJson: $$$"""{"a":{"keys":[{"key":"{{{RegistryJson.CiBot}}}","label":null,"not_after":null}]}}""",
            extra: ""","expires_at":null,"revoked":null""");

        var snapshot = RegistryJson.Parse(RegistryJson.Bytes(json));

        Assert.Null(snapshot.ExpiresAt);
        Assert.Null(snapshot.IssuedAt);
        Assert.Empty(snapshot.Revoked);
        Assert.Empty(snapshot.Accounts["web"].Grants);
        Assert.Null(snapshot.People["a"].Keys[0].Label);
    }

    [Theory]
    [InlineData("keyagentd.registry/v2")]
    [InlineData("KEYAGENTD.REGISTRY/V1")]
    [InlineData("")]
    public void Wrong_schema_is_refused(string schema)
    {
        var error = RegistryJson.Refuse($$$"""{"schema":"{{{schema}}}","serial":1,"people":{},"accounts":{}}""");
        Assert.Equal(SnapshotError.WrongSchema, error.Code);
    }

    [Fact]
    public void Schema_is_checked_before_anything_else_so_a_newer_document_says_so()
    {
        var error = RegistryJson.Refuse("""{"schema":"keyagentd.registry/v2","serial":"x","persons":[]}""");
        Assert.Equal(SnapshotError.WrongSchema, error.Code);
    }

    [Theory]
    [InlineData("""{"serial":1,"people":{},"accounts":{}}""", "schema")]
    [InlineData("""{"schema":"keyagentd.registry/v1","people":{},"accounts":{}}""", "serial")]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"accounts":{}}""", "people")]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"people":{}}""", "accounts")]
    public void Missing_required_field_is_named(string json, string field)
    {
        var error = RegistryJson.Refuse(json);
        Assert.Equal(SnapshotError.MissingField, error.Code);
        Assert.StartsWith(field + ":", error.Message);
    }

    [Fact]
    public void Key_entry_without_key_text_is_a_missing_field()
    {
        var error = RegistryJson.Refuse(RegistryJson.Minimal(peopleJson: """{"a":{"keys":[{"label":"x"}]}}"""));
        Assert.Equal(SnapshotError.MissingField, error.Code);
        Assert.StartsWith("people.a.keys[0].key:", error.Message);
    }

    [Theory]
    [InlineData("""{"deploy":{"grants":["a",7]}}""", "{}", "accounts.deploy.grants[1]: expected a string")]
    [InlineData("""{"deploy":{"grants":"a"}}""", "{}", "accounts.deploy.grants: expected an array")]
    [InlineData("""{"deploy":{"options":["no-pty"]}}""", "{}", "accounts.deploy.options: expected a string")]
    [InlineData("""{"deploy":[]}""", "{}", "accounts.deploy: expected an object")]
    [InlineData("{}", """{"a":{"keys":{}}}""", "people.a.keys: expected an array")]
    [InlineData("{}", """{"a":{"keys":[{"key":1}]}}""", "people.a.keys[0].key: expected a string")]
    [InlineData("{}", """{"a":{"keys":[{"key":"k","label":true}]}}""", "people.a.keys[0].label: expected a string")]
    [InlineData("{}", """{"a":{"keys":[{"key":"k","not_after":"next week"}]}}""", "people.a.keys[0].not_after: expected an ISO 8601")]
    [InlineData("{}", """{"a":{"keys":[{"key":"k","not_after":"2027-06-01T00:00:00"}]}}""", "people.a.keys[0].not_after: expected an ISO 8601")]
    [InlineData("{}", """{"a":{"keys":[{"key":"k","not_after":20270601}]}}""", "people.a.keys[0].not_after: expected a string")]
    [InlineData("{}", """{"a b":{"keys":[{"key":"k","owner":[]}]}}""", "people[\"a b\"].keys[0].owner: expected a string")]
    [InlineData("{}", """{"alice@example.com":{"keys":[{"key":null}]}}""", "people.alice@example.com.keys[0].key: expected a string")]
    public void Wrong_types_are_refused_with_the_json_path(string accounts, string people, string expectedMessageStart)
    {
        var error = RegistryJson.Refuse(RegistryJson.Minimal(accounts, people));
        Assert.Equal(SnapshotError.InvalidField, error.Code);
        Assert.StartsWith(expectedMessageStart, error.Message);
    }

    [Theory]
    [InlineData("\"42\"")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999999999")]
    [InlineData("1e400")]
    [InlineData("true")]
    [InlineData("null")]
    public void Serial_must_be_a_non_negative_64_bit_integer(string serial)
    {
        var error = RegistryJson.Refuse($$$"""{"schema":"keyagentd.registry/v1","serial":{{{serial}}},"people":{},"accounts":{}}""");
        Assert.Equal(SnapshotError.InvalidField, error.Code);
        Assert.StartsWith("serial:", error.Message);
    }

    [Fact]
    public void Largest_64_bit_serial_is_accepted()
    {
        var snapshot = RegistryJson.Parse(RegistryJson.Bytes("""{"schema":"keyagentd.registry/v1","serial":9223372036854775807,"people":{},"accounts":{}}"""));
        Assert.Equal(long.MaxValue, snapshot.Serial);
    }

    [Fact]
    public void Dates_with_an_offset_keep_their_instant()
    {
        var snapshot = RegistryJson.Parse(RegistryJson.Bytes(RegistryJson.Minimal(extra: ""","expires_at":"2026-12-21T12:00:00+02:00" """)));
        Assert.Equal(new DateTimeOffset(2026, 12, 21, 10, 0, 0, TimeSpan.Zero), snapshot.ExpiresAt);
    }

    [Theory]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"serial":2,"people":{},"accounts":{}}""", "serial: duplicate")]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"people":{},"accounts":{"root":{"grants":[]},"root":{"grants":["x"]}}}""", "accounts.root: duplicate")]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"people":{"a":{"keys":[{"key":"k","key":"j"}]}},"accounts":{}}""", "people.a.keys[0].key: duplicate")]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"people":{},"accounts":{},"x":{"y":1,"y":2}}""", "x.y: duplicate")]
    public void Duplicate_property_names_are_refused(string json, string expectedMessageStart)
    {
        var error = RegistryJson.Refuse(json);
        Assert.Equal(SnapshotError.InvalidJson, error.Code);
        Assert.StartsWith(expectedMessageStart, error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] json = RegistryJson.Bytes(RegistryJson.Minimal(peopleJson: """{"a\u0000X":{}}""").Replace("\\u0000X", "@@", StringComparison.Ordinal));
        int at = Array.IndexOf(json, (byte)'@');
        json[at] = 0xC3;
        json[at + 1] = 0x28;

        var error = RegistryJson.Refuse(json);

        Assert.Equal(SnapshotError.InvalidJson, error.Code);
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void Lone_surrogate_escape_is_refused_not_thrown()
    {
        var error = RegistryJson.Refuse(RegistryJson.Minimal(peopleJson: """{"a":{"keys":[{"key":"\uD800"}]}}"""));
        Assert.Equal(SnapshotError.InvalidJson, error.Code);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(33)]
    public void Deep_nesting_is_invalid_json_not_a_crash(int depth)
    {
        string nested = new string('[', depth) + new string(']', depth);
        Assert.Equal(SnapshotError.InvalidJson, RegistryJson.Refuse(nested).Code);
        Assert.Equal(SnapshotError.InvalidJson, RegistryJson.Refuse(RegistryJson.Minimal(extra: ",\"x\":" + nested)).Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("\"keyagentd.registry/v1\"")]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"people":{},"accounts":{},}""")]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"people":{},"accounts":{}} {}""")]
    [InlineData("""{"schema":"keyagentd.registry/v1","serial":1,"people":{},"accounts":{}} // comment""")]
    public void Malformed_documents_are_invalid_json(string json) =>
        Assert.Equal(SnapshotError.InvalidJson, RegistryJson.Refuse(json).Code);

    [Fact]
    public void A_utf8_byte_order_mark_is_tolerated()
    {
        byte[] json = [0xEF, 0xBB, 0xBF, .. RegistryJson.Bytes(RegistryJson.Minimal())];
        Assert.Equal(1, RegistryJson.Parse(json).Serial);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("-rf")]
    [InlineData("with space")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("evil\nroot")]
    public void Invalid_account_name_is_skipped_and_reported_not_fatal(string name)
    {
        string escaped = System.Text.Json.JsonEncodedText.Encode(name).ToString();
        var snapshot = RegistryJson.Parse(RegistryJson.Bytes(RegistryJson.Minimal(accountsJson: $$$"""{"{{{escaped}}}":{"grants":["a"]},"deploy":{}}""")));

        Assert.Equal(["deploy"], snapshot.Accounts.Keys);
        var rejection = Assert.Single(snapshot.Rejections);
        Assert.Equal(ReasonCode.InvalidAccountName, rejection.Verdict.Reason);
        Assert.Equal("invalid-account-name", rejection.Verdict.Code);
        Assert.Equal(name, rejection.Account);
        Assert.DoesNotContain('\n', rejection.Verdict.Message);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("_apt")]
    [InlineData("Deploy.Web-1")]
    [InlineData("0day")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Posix_style_account_names_are_accepted(string name) => Assert.True(AccountName.IsValid(name));

    [Theory]
    [InlineData("[\"SHA256:short\"]")]
    [InlineData("[\"MD5:aa:bb\"]")]
    [InlineData("[42]")]
    [InlineData("\"SHA256:x\"")]
    public void Malformed_revoked_list_refuses_the_whole_snapshot(string revoked)
    {
        var error = RegistryJson.Refuse(RegistryJson.Minimal(extra: ",\"revoked\":" + revoked));
        Assert.Equal(SnapshotError.InvalidField, error.Code);
        Assert.StartsWith("revoked", error.Message);
    }

    [Fact]
    public void A_removal_approval_is_read_with_its_serial_limit_and_reason()
    {
        var snapshot = RegistryJson.Parse(RegistryJson.Bytes(RegistryJson.Minimal(
            extra: ""","removal_approval":{"serial":7,"max_removed_keys":120,"reason":"team foo offboarded (CHG-42)"}""")));

        Assert.Equal(new RemovalApproval(7, 120, "team foo offboarded (CHG-42)"), snapshot.RemovalApproval);
    }

    [Theory]
    [InlineData("""{"serial":7,"max_removed_keys":120}""")]
    [InlineData("""{"serial":7,"max_removed_keys":0,"reason":"x"}""")]
    [InlineData("""{"serial":"7","max_removed_keys":5,"reason":"x"}""")]
    [InlineData("""{"max_removed_keys":5,"reason":"x"}""")]
    [InlineData("""{"serial":7,"max_removed_keys":5,"reason":" "}""")]
    [InlineData("""{"serial":7,"max_removed_keys":5,"reason":"a\nb"}""")]
    [InlineData("true")]
    public void A_malformed_removal_approval_refuses_the_document(string approval)
    {
        var error = RegistryJson.Refuse(RegistryJson.Minimal(extra: $$""","removal_approval":{{approval}}"""));

        Assert.Contains(error.Code, new[] { SnapshotError.InvalidField, SnapshotError.MissingField });
        Assert.Contains("removal_approval", error.Message);
    }
}
