namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// The revocation entry that refuses a key: its <see cref="Rule"/> and the entry as written
/// (<c>serial 42</c>, <c>serials 10-20</c>, <c>key ID "…"</c> unescaped, <c>key SHA256:…</c>,
/// <c>CA SHA256:…</c>). Whoever shows <see cref="Entry"/> escapes it: a key ID is the certificate's text.
/// </summary>
public sealed record RevocationMatch(RevocationRule Rule, string Entry);
