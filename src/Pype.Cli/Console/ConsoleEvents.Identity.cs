using System.Text.Json;
using Pype.Actors.Node;
using Pype.Actors.Seed;
using Spectre.Console;
using static Pype.Cli.Console.ConsoleText;

namespace Pype.Cli.Console;

public static partial class ConsoleEvents
{
    /// <summary>Start-up, who this process is, and its contacts.</summary>
    private static ConsoleEvent[] Identity() =>
    [
        Define<NodeReady>("ready",
            (w, r) =>
            {
                w.WriteString("role", r.Role);
                w.WriteString("address", r.Address);
                w.WriteString("hash", r.Hash);
                w.WriteNumber("startup_ms", Math.Round(r.StartupTime.TotalMilliseconds));
                w.WriteString("data_dir", r.DataDir);
                WriteOptional(w, "node_listen", r.NodeListen);
                WriteOptional(w, "seed_listen", r.SeedListen);
            },
            (t, r) =>
            {
                t.Markup($"[green]{r.Role} ready[/] in {r.StartupTime.TotalMilliseconds:0} ms");
                if (r.NodeListen is not null) t.Line($"node UDP: {r.NodeListen}");
                if (r.SeedListen is not null) t.Line($"seed UDP: {r.SeedListen} (STUN)");
                t.Address(r.Address, r.Hash);
            }),
        Define<IdentityView>("whoami",
            (w, v) =>
            {
                w.WriteString("role", v.Role);
                w.WriteString("address", v.Address);
                w.WriteString("hash", v.Hash);
                w.WriteBoolean("key_encrypted", v.KeyEncrypted);
                w.WriteString("key_file", v.KeyFile);
            },
            (t, v) =>
            {
                t.Address(v.Address, v.Hash);
                t.Qr(v.Address);
                t.Line($"key file: {v.KeyFile} ({(v.KeyEncrypted ? "encrypted with a passphrase" : "not encrypted, owner-only")})");
            }),
        Define<SeedIdentityView>("whoami",
            (w, v) =>
            {
                w.WriteString("role", "seed");
                w.WriteString("address", v.Address);
                w.WriteString("hash", v.Hash);
                w.WriteString("public_key", v.PublicKeyHex);
                w.WriteBoolean("key_encrypted", v.KeyEncrypted);
                w.WriteString("key_file", v.KeyFile);
            },
            (t, v) =>
            {
                t.Line($"seed public key: {v.PublicKeyHex}");
                t.Address(v.Address, v.Hash);
                t.Line($"key file: {v.KeyFile} ({(v.KeyEncrypted ? "encrypted" : "not encrypted, owner-only")})");
            }),
        Define<ContactsView>("contacts",
            (w, c) =>
            {
                w.WriteStartArray("contacts");
                foreach (var contact in c.Contacts)
                {
                    w.WriteStartObject();
                    WriteContact(w, contact);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            },
            (t, c) =>
            {
                if (c.Contacts.Count == 0)
                {
                    t.Markup("no contacts yet: add one with [bold]add <address> [[name]][/]");
                    return;
                }
                var table = new Table().AddColumns("name", "hash", "address", "added");
                foreach (var contact in c.Contacts)
                    table.AddRow(Markup.Escape(contact.Name), Short(contact.Hash), contact.Address, contact.AddedAt.ToString("yyyy-MM-dd HH:mm"));
                t.Write(table);
            }),
        Define<ContactAddedReply>("contact-added",
            (w, a) => WriteContact(w, a.Contact),
            (t, a) => t.Line($"added contact {a.Contact.Name} ({Short(a.Contact.Hash)})")),
        Define<ContactRemovedReply>("contact-removed",
            (w, r) => { w.WriteString("name", r.Name); w.WriteString("hash", r.Hash); },
            (t, r) => t.Line($"removed contact {r.Name} ({Short(r.Hash)})")),
        Define<ContactRenamedReply>("contact-renamed",
            (w, r) => { w.WriteString("old_name", r.OldName); WriteContact(w, r.Contact); },
            (t, r) => t.Line($"renamed contact {r.OldName} to {r.Contact.Name}")),
        Define<KeysRotated>("keys-rotated",
            (w, k) =>
            {
                w.WriteString("address", k.Address);
                w.WriteString("hash", k.Hash);
                w.WriteString("previous_hash", k.PreviousHash);
                w.WriteString("archived_to", k.ArchivedTo);
            },
            (t, k) =>
            {
                t.Line($"new identity is active; the old key file is archived at {k.ArchivedTo}");
                t.Address(k.Address, k.Hash);
                t.Qr(k.Address);
                t.Markup("tell your contacts your new address: they know you by your old key.");
            }),
    ];

    private static void WriteContact(Utf8JsonWriter w, ContactView contact)
    {
        w.WriteString("name", contact.Name);
        w.WriteString("hash", contact.Hash);
        w.WriteString("address", contact.Address);
        w.WriteString("added_at", contact.AddedAt);
    }
}
