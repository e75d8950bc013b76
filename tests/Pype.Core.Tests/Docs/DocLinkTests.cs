using System.Text.RegularExpressions;
using Pype.Lab;
using Xunit;

namespace Pype.Core.Tests.Docs;

/// <summary>
/// The README and docs/ are read on a fresh clone, with nothing beside it: every relative link
/// must reach a file or folder inside the repository, and a link to a heading must name one.
/// </summary>
public sealed partial class DocLinkTests
{
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        foreach (var file in DocumentPaths()) data.Add(file);
        return data;
    }

    [Fact]
    public void The_readme_and_the_docs_are_found()
    {
        var found = DocumentPaths().ToList();
        Assert.Contains("README.md", found);
        Assert.Contains("docs/ARCHITECTURE.md", found);
        Assert.Contains("docs/protocol/rtp.md", found);
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_resolves_inside_the_repository(string document)
    {
        var broken = BrokenLinks(document).ToList();
        Assert.True(broken.Count == 0, $"{document}: {string.Join("; ", broken)}");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void No_document_points_at_a_folder_beside_the_repository(string document)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Path, document));
        Assert.DoesNotContain("../shared", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_to_a_missing_file_or_heading_is_reported()
    {
        var scratch = Path.Combine(RepositoryRoot.Path, "docs");
        Assert.Equal(["missing.md"], BrokenLinksIn("[gone](missing.md)", scratch).ToList());
        Assert.Equal(["PROTOCOL.md#no-such-heading"], BrokenLinksIn("[gone](PROTOCOL.md#no-such-heading)", scratch).ToList());
        Assert.Equal(["../../outside.md"], BrokenLinksIn("[away](../../outside.md)", scratch).ToList());
        Assert.Empty(BrokenLinksIn("[ok](PROTOCOL.md) [web](https://example.org/x.md) `[code](nowhere.md)`", scratch));
    }

    [Fact]
    public void Headings_become_the_anchors_github_gives_them()
    {
        Assert.Equal("1-one-socket-three-kinds-of-datagram", Anchor("1. One socket, three kinds of datagram"));
        Assert.Equal("the-actor-tree-of-a-node", Anchor("The actor tree of a node"));
        Assert.Equal("peerlink-and-seedclient", Anchor("`PeerLink` and `SeedClient`"));
    }

    private static IEnumerable<string> DocumentPaths()
    {
        yield return "README.md";
        var docs = Path.Combine(RepositoryRoot.Path, "docs");
        foreach (var file in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            yield return Path.GetRelativePath(RepositoryRoot.Path, file).Replace('\\', '/');
    }

    private static IEnumerable<string> BrokenLinks(string document)
    {
        var path = Path.Combine(RepositoryRoot.Path, document);
        return BrokenLinksIn(File.ReadAllText(path), Path.GetDirectoryName(path)!);
    }

    private static IEnumerable<string> BrokenLinksIn(string markdown, string folder)
    {
        var root = Path.GetFullPath(RepositoryRoot.Path) + Path.DirectorySeparatorChar;
        foreach (var target in LinkTargets(markdown))
        {
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
            var hash = target.IndexOf('#');
            var (file, anchor) = hash < 0 ? (target, "") : (target[..hash], target[(hash + 1)..]);
            var resolved = file.Length == 0 ? null : Path.GetFullPath(Path.Combine(folder, Uri.UnescapeDataString(file)));
            if (resolved is not null && (!resolved.StartsWith(root, StringComparison.Ordinal) || !(File.Exists(resolved) || Directory.Exists(resolved))))
            {
                yield return target;
                continue;
            }
            if (anchor.Length == 0) continue;
            var headings = resolved is null ? markdown : File.Exists(resolved) && resolved.EndsWith(".md", StringComparison.Ordinal) ? File.ReadAllText(resolved) : null;
            if (headings is not null && !HeadingAnchors(headings).Contains(anchor)) yield return target;
        }
    }

    /// <summary>Targets of inline links and link definitions, outside code blocks and code spans.</summary>
    private static IEnumerable<string> LinkTargets(string markdown)
    {
        var prose = CodeSpan().Replace(FencedCode().Replace(markdown, ""), "");
        foreach (Match link in InlineLink().Matches(prose)) yield return link.Groups["target"].Value;
        foreach (Match definition in LinkDefinition().Matches(prose)) yield return definition.Groups["target"].Value;
    }

    private static HashSet<string> HeadingAnchors(string markdown) =>
        [.. Heading().Matches(FencedCode().Replace(markdown, "")).Select(heading => Anchor(heading.Groups["text"].Value))];

    /// <summary>GitHub's rule: lower case, punctuation other than '-' and '_' removed, spaces to '-'.</summary>
    private static string Anchor(string heading) =>
        new string([.. heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')]).Replace(' ', '-');

    [GeneratedRegex(@"^(```|~~~).*?^\1\s*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedCode();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex LinkDefinition();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
