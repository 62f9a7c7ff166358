namespace Conference.AppHost.Publishing;

/// <summary>
/// The layer-4 part of the shipped Caddyfile when TURN is on (<c>--Conference:Turn=true</c>), in the layout LiveKit's
/// own generator uses: on 443, a TLS connection for the TURN name (<c>{$TURN_SITE_ADDRESS}</c>, turn.DOMAIN) is
/// terminated by Caddy and its TURN stream proxied to LiveKit (<c>{$TURN_UPSTREAM}</c>); every other connection
/// falls through, unchanged and with its client address, to the HTTPS sites. caddy-l4's listener wrapper does it
/// (https://github.com/mholt/caddy-l4), so the image is the layer-4 build. A site block for the TURN name makes
/// Caddy obtain and renew its certificate like the others. The rest of the Caddyfile is left as it is.
/// </summary>
static class CaddyTurnRoute
{
    public const string GlobalOptions = """
        	# Added by publish-compose for TURN on 443 (--Conference:Turn=true): TLS for the TURN name ends here and its
        	# TURN stream goes on to LiveKit; every other connection falls through to the HTTPS sites below.
        	servers :443 {
        		listener_wrappers {
        			layer4 {
        				@turn tls sni {$TURN_SITE_ADDRESS}
        				route @turn {
        					tls
        					proxy {$TURN_UPSTREAM}
        				}
        			}
        			tls
        		}
        	}

        """;

    public const string SiteBlock = """

        # Added by publish-compose for TURN on 443: Caddy obtains and renews the TURN name's certificate here; the
        # layer-4 route above serves it. Plain HTTP to the name only redirects.
        {$TURN_SITE_ADDRESS} {
        	respond "TURN only" 404
        }

        """;

    /// <summary>The Caddyfile with the TURN route added to its global options block (the first block) and the TURN site appended.</summary>
    public static string AddTo(string caddyfile)
    {
        var lines = caddyfile.ReplaceLineEndings("\n").Split('\n').ToList();
        var open = lines.FindIndex(line => line == "{");
        var close = open < 0 ? -1 : lines.FindIndex(open, line => line == "}");
        if (close < 0)
        {
            throw new InvalidOperationException("The Caddyfile has no global options block ('{' and '}' on lines of their own) for the TURN route to go in.");
        }
        lines.Insert(close, GlobalOptions.TrimEnd('\n'));
        return string.Join('\n', lines).TrimEnd('\n') + "\n" + SiteBlock.TrimEnd('\n') + "\n";
    }
}
