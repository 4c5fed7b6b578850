"""Decisions as people write them: what an ADR chose, what it turned down, what it retires and what replaces it.

Read from the title ("Use X for Y", "Replace X with Y", "Migrate from X to Y",
"Remove X", "X will not be applied"), from sentences ("We will use X", "X was
chosen over Y", "we decided against X", "Rejected due to cost"), and from the
options an ADR weighed ("### Option 2 - Use X", "Chosen option: Option 2").
Everything here reads plain strings and returns names as written; the ADR rule
turns them into mentions, and the resolve stage into entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..gazetteer import is_everyday_word, known_spelling, word_like
from ..gazetteer import load as _gazetteer
from ..names import slash_parts
from .phrases import BOUNDARY, KIND_WORDS, NOT_A_TECHNOLOGY_HEAD, Name, lower_case_name, names_in

# verbs of choosing; the name follows ("use X", "based on X")
CHOOSE = (r"use|uses|using|utili[sz]e|utili[sz]ing|adopt|adopts|adopting|implement|implements|implementing|"
          r"choose|chooses|choosing|chose|select|selects|selecting|pick|picks|go with|going with|went with|"
          r"opt for|opted for|introduce|introduces|introducing|deploy|deploys|deploying|standardi[sz]e on|"
          r"build on|built on|based on|rely on|relies on|prefer|prefers|move to|moving to|migrate to|migrating to|"
          r"switch to|switching to|move onto|onto|host on|hosted on|run on|runs on|running on|"
          r"build upon|built upon|builds upon|run|runs|operate|operates|decided on|settled on|decide on|"
          r"settle on")
# "run X on Y" chooses where X runs (Y); "run X in each cluster" chooses X
RUN_VERB = re.compile(r"^(?:run|runs|operate|operates)$", re.I)
# "X was chosen", "X is preferred": the name comes before
CHOSEN_PASSIVE = re.compile(r"\b(?:(?:will|shall|is to|are to) be used\b(?!\s+(?:by|only|less|no longer)\b)|"
                            # "MongoDB will be used to store metadata": a decision in the passive (not "… used by X")
                            r"(?:was|were|is|are|has been|have been|will be)\s+(?:chosen|selected|adopted|"
                            r"preferred|picked|the chosen option|our choice|(?:the|a) (?:clear )?winner|"
                            r"(?:the|our)\s+(?:best|most suitable|right|preferred|recommended)\s+(?:choice|fit|option)))\b",
                            re.I)
# "Metadata will be stored in MongoDB", "the site shall be hosted on Netlify": the name follows
KEPT_IN = re.compile(r"\b(?:will|shall)\s+(?:now\s+|instead\s+)?be\s+(?:stored|kept|persisted|hosted|managed)\s+"
                     r"(?:in|on|with|by|using)\s+(?:the\s+)?", re.I)
# "… makes K6 the best choice for us": the name between the verb and its verdict is chosen
MAKES_BEST = re.compile(r"\bmakes?\s+(?P<name>.{2,40}?)\s+(?:the|our)\s+(?:best|most suitable|right|obvious|clear)\s+"
                        r"(?:choice|fit|option|candidate)\b", re.I)
REJECTED_PASSIVE = re.compile(r"\b(?:was|were|is|are|has been|have been|will be)\s+(?:rejected|ruled out|"
                              r"discarded|removed from consideration|not (?:chosen|selected|adopted|pursued))\b"
                              r"|\brejected\s+(?:due to|because|as|for)\b"
                              # "we decided that X was not a good fit", "X is not the right choice for us"
                              r"|\b(?:was|were|is|are)\s+not\s+(?:a|an|the)\s+(?:good|great|right|suitable|viable|"
                              r"sensible|appropriate)\s+(?:fit|choice|option|match|solution)\b", re.I)
# words after which a name is turned down ("chose X over Y", "X instead of Y", "in favour of Y")
AGAINST = re.compile(r"(?:,\s+not(?!\s+(?:only|just|yet|always|necessarily|least|even|quite|all|every|that|so|too)\b)|"
                     # ("rather than simply using NGINX": how it would have been used is no name)
                     r"\b(?:(?:instead of|rather than)(?:\s+(?:simply|just|only|directly))?"
                     r"(?:\s+(?:using|adopting|running|deploying|building on))?|in favou?r of|as opposed to|"
                     r"decided against|decides? against|"
                     r"(?:have |had )?rejected|(?:will|shall|do|does|did|would) not (?:use|adopt|implement|build|"
                     r"choose|select|deploy|run|go with|pursue|apply)(?:(?:\s+\w+){1,4}?\s+(?:using|with))?|"
                     r"won't (?:use|adopt|implement|build|choose|deploy|run)|(?:decided|chose|opted) not to "
                     r"(?:use|adopt|implement|choose|deploy|run|go with|pursue|apply|continue with|continue using|"
                     r"proceed with|go ahead with|move forward with)|not (?:to )?use))\s+", re.I)
OVER = re.compile(r"\bover\s+", re.I)
# "chose X framework over Y": a few lower-case words may stand between the choice and "over"
OVER_AFTER = re.compile(r"^\s*(?:[a-z][\w-]*\s+){0,3}?over\s+")
CHOOSE_VERB = re.compile(rf"\b(?:{CHOOSE})\s+", re.I)
# "we use X", "we are now using X": the present of use, which a decision section states as its decision
PRESENT_USE = re.compile(r"\bwe\s+(?:now\s+|are\s+(?:now\s+)?)?$", re.I)
# a decision written as a label: "Chosen: X", "Selected option: X", "Decision: use X"
LABELLED_CHOICE = re.compile(r"^\W*(?:chosen|selected|choice|chosen (?:tool|technology|solution))\s*:\s*(?P<rest>\S.*)$",
                             re.I)
COMBINATION = re.compile(r"(?:a|an)\s+(?:combination|mix|mixture|pair)\s+of\s+(?:the\s+)?", re.I)
STRONG_DECISION = re.compile(r"\b(?:we|i|the team)\s+(?:have\s+|had\s+)?(?:ultimately\s+|eventually\s+|finally\s+|"
                             r"therefore\s+|then\s+|also\s+)?(?:decided|chose|agreed|opted|selected|"
                             r"rejected|ruled out|dropped|discarded|will|shall|are going to|plan to|intend to)\b|"
                             r"\bdecided to\b|\bdecision\s+(?:is|was)\b|\bchosen (?:option|alternative)\b|"
                             r"\bdecision\b[^.;]{0,40}\bwas (?:made|taken)\b|"
                             r"\b(?:was|were|is|are|has been|have been)\s+(?:rejected|ruled out|removed from "
                             r"consideration|chosen|selected)\b", re.I)
NEGATED = re.compile(r"\b(?:not|no|never|won't|don't|doesn't|didn't|cannot|can't|against)\b", re.I)
HEDGE = re.compile(r"\b(?:could|might|may|would|if|whether|consider(?:ed|ing)?|evaluat(?:e|ed|ing)|investigat\w*|"
                   r"looked at|alternatives?|when|once|until|in the future|eventually|later on|likely|probably|"
                   r"possibly|perhaps|maybe)\b", re.I)
# a guess about the future, even in a sentence of commitment ("we will likely move to X later")
HEDGE_ADVERB = re.compile(r"\b(?:likely|probably|possibly|perhaps|maybe)\b|"
                          # a commitment on a condition: "we will move to X only when the volume needs it"
                          r"\bonly\s+(?:when|if|once|after|in case)\b|\bif\s+and\s+when\b|"
                          # what could be done, not what was: "migration to X and Y was possible"
                          r"\b(?:was|were|is|are|would be|will be)\s+(?:also\s+)?(?:possible|feasible)\b", re.I)
# verbs that are a decision by themselves ("we chose X"); others ("use X") need a commitment or an imperative
SELF_DECIDING = re.compile(r"^(?:choose|chooses|choosing|chose|select|selects|selecting|pick|picks|go with|going with|"
                           r"went with|opt for|opted for|adopt|adopts|adopting|prefer|prefers|standardi[sz]e on)\b", re.I)
COMMITTED = re.compile(r"\b(?:will|shall|should|must|'ll|are going to|is going to|decided to|agreed to|chose to|"
                       r"opted to|plan to|intend to|going forward|to be)\b", re.I)
IMPERATIVE = re.compile(r"^\W*(?:(?:only|always)\s+)?(?:use|adopt|implement|implementing|move|migrate|switch|deploy|run|host|build|create|add|"
                        r"introduce|replace|go|keep|stay|continue|enable|store|rely|make|set up|choose|select|evolve|transition|"
                        r"standardi[sz]e|utili[sz]e|offer|provide|integrate|configure|install|leverage)\b", re.I)
# an adverb before an imperative: "Only use X", "Always use X"
ONLY_ADVERB = re.compile(r"^\W*(?:only|always)\s+$", re.I)
# a decision named as a thing: "our decision to adopt X", "the earlier decisions to use X and Y"
CITED_DECISION = re.compile(r"\b(?:our|the|their|its|this|that|an?|earlier|previous|prior|existing)\s+(?:\w+\s+)?"
                            r"decisions?\s+to\s*$", re.I)
# what a team set out to try, not what it chose: "we decided to attempt …", "we opted to prototype a workaround"
TRIAL = re.compile(r"\b(?:to|and)\s+(?:\w+ly\s+)?(?:attempt|try|trial|prototype|experiment|spike|test out|explore|"
                   r"investigate|evaluate|assess|see whether|see if)\b", re.I)
# a verb of choosing after one of ending: "stop using X", "cease to use X", "quit using X"
STOPPED = re.compile(r"\b(?:stop|stops|stopped|stopping|cease|ceases|ceased|ceasing|quit|quits|quitting)\s+(?:to\s+)?$",
                     re.I)
# retiring a technology: "We will retire X", "remove X", "terminate our X instance"
REMOVE_VERB = re.compile(r"\b(?:remove|removes|removing|retire|retires|retiring|decommission|decommissions|"
                         r"decommissioning|deprecate|deprecates|deprecating|drop|drops|dropping|terminate|terminates|"
                         r"terminating|sunset|sunsets|sunsetting|stop using|stopped using|no longer use|phase out|"
                         r"phasing out|phased out|turn off|shut down|switch off|get rid of|got rid of)\s+", re.I)
# "This removes Authentik", "It only removes the frontend", "The command deletes…": what a command does
COMMAND_SUBJECT = re.compile(r"^\W*(?:this|that|it|which|the (?:command|script|playbook|task|target|job|step))\s+"
                             r"(?:\w+ly\s+|will\s+|also\s+)*$", re.I)
# an instruction or a condition in front of a removal: "Comment them back out whenever you want to pause or remove X",
# "if you need to remove X", "you can remove X", "To remove X, run …": a how-to, not a retirement
INSTRUCTED = re.compile(r"\b(?:whenever|unless|in case|you|your|want(?:s|ed)? to|wish(?:es)? to|how to|in order to|"
                        r"instructions? (?:to|for)|optionally)\b|^\W*to\s+(?:\w+\s+(?:or|and)\s+)?$", re.I)
# a condition: "when LiteLLM is removed" says what would follow, not that it was
HYPOTHESIS = re.compile(r"\b(?:when|whenever|if|unless|until|whether|in case)\b", re.I)
REMOVED_PASSIVE = re.compile(r"\b(?:is|was|are|were|has been|have been|will be|is being|are being|being)\s+"
                             r"(?:decommissioned|retired|removed|deprecated|sunset|sunsetted|phased out|shut down|"
                             r"turned off|switched off|no longer (?:used|supported|needed))\b"
                             r"|\b(?:is|are) no longer (?:used|supported|needed|in use)\b|\b(?:is|are) not used\b", re.I)
# "move from X to Y" replaces X; "move secrets from X to Y" moves data, and X may stay for other uses
MOVE_FROM = re.compile(r"\b(?:move|moving|moved|migrate|migrating|migrated|switch|switching|switched|transition|"
                       r"transitioning|transitioned|go|going|upgrade|upgrading|upgraded)\s+"
                       r"(?:(?:away|back|over|across|\w+ly)\s+)?"  # "migrate directly from", "move gradually from"
                       # "move our existing CI/CD pipeline implementation from Jenkins to GitLab": what X did moves to Y
                       r"(?:(?:our|the|its|their|all(?: of)?(?: our| the)?)\s+(?:[\w/-]+\s+){0,4}?(?:pipelines?|"
                       r"implementations?|workloads?|hosting|builds?|jobs?|deployments?|services?|apps?|applications?|"
                       r"sites?|infrastructure|tests?|stack|ci|ci/cd)\s+)?"
                       r"from\s+(?:using\s+|running\s+)?(?P<old>.{1,80}?)\s+(?:to|onto|into)\s+(?P<new>.+)", re.I)
# a title that upgrades one thing to another: "Upgrading Elasticsearch 6.8 to OpenSearch 3.7"
UPGRADE = re.compile(r"^(?:upgrade|upgrading)\s+(?!from\b)(?P<old>.{1,80}?)\s+(?:to|onto)\s+(?P<new>.+)$", re.I)
# "After migrating to Azure from GOV.UK PaaS": the new place first
MOVE_TO_FROM = re.compile(r"\b(?:move|moving|moved|migrate|migrating|migrated|switch|switching|switched|transition|"
                          r"transitioning)\s+(?:(?:fully|completely|entirely|over)\s+)?(?:to|onto|into)\s+"
                          r"(?P<new>[^;]{1,60}?)\s+from\s+(?P<old>.+)", re.I)
COMBINE = re.compile(r"^(?:combine|combining|merge|merging|consolidate|consolidating|fold|folding|collapse|collapsing)\s+"
                     r"(?P<old>.{1,80}?)\s+(?:into|with|onto)\s+(?P<new>.+)$", re.I)
# (what is replaced ends where another verb's clause starts: "replaces the updown.io checks and aligns us with X")
REPLACE = re.compile(r"\b(?:replace|replaces|replacing|swap|swaps|swapping|substitute|substituting)\s+"
                     r"(?P<old>(?:(?!\s(?:and|but|which|while|so)\s).){1,80}?)\s+(?:with|by|for)\s+(?P<new>.+)", re.I)
REPLACED_BY = re.compile(r"(?P<old>[^.;]{1,80}?)\s+(?:was |is |has been |will be |are |were |is being |are being )?"
                         r"(?:fully )?replaced\s+(?:by|with)\s+(?P<new>.+)", re.I)
MOVE_TO = re.compile(r"\b(?:move|moving|migrate|migrating|switch|switching|replatform|replatforming|re-platform|"
                     r"re-platforming|upgrade|upgrading)\b(?:\s+\S+){0,4}?\s+(?:to|onto|into)\s+(?P<new>.+)", re.I)
MOVE_THINGS_TO = re.compile(r"\b(?:move|moving|migrate|migrating|transfer|transferring|consolidate|consolidating)\s+"
                            r"(?!from\b)[^.;]{1,80}?\s+(?:to|onto|into)\s+", re.I)
# a title that turns something down: "NCSC PDNS will not be applied", "Do not use X", "No X"
TITLE_REJECT = re.compile(r"^(?:do not|don't|never|avoid|no)\s+(?:use\s+|adopt\s+)?(?P<name>.+)$|"
                          r"^(?P<subject>.+?)\s+(?:will|shall|should|must)\s+not\s+be\b", re.I)
TITLE_CHOOSE = re.compile(rf"^(?:(?:we\s+)?(?:will\s+)?(?:(?:only|always)\s+)?(?:{CHOOSE}|add|adding|try|trial|trialling|enable|enabling|"
                          rf"run|host|store|keep|offer|provide|put|place)\s+|use of\s+)(?P<rest>.+)$", re.I)
# "Keycloak as IdP", "Redpanda as the event bus": a title without a verb that gives a name its role
TITLE_AS_ROLE = re.compile(r"^(?P<name>[^,;:()]+?)\s+as\s+(?:the\s+|our\s+|an?\s+|its\s+)?(?P<role>[^,;:]+)$", re.I)
# "Store forms in forms-admin", "Keep state on S3": the place is the choice
TITLE_PLACE = re.compile(r"^(?:store|storing|keep|keeping|host|hosting|run|running|persist|put|putting|place|placing|"
                         r"hold|deploy|deploying)\s"
                         r"(?:\S+\s+){0,5}?(?:in|on|into|onto|inside|within)\s+(?!an?\s)(?P<place>.+)$", re.I)
OPTION_LABEL = re.compile(r"^\s*(?:option|alternative|approach|choice)\s*(?P<n>\d+[a-z]?|(?<=\s)[A-Z])\b\s*[:.)\-–—]*\s*(?P<rest>.*)$|"
                          r"^\s*\(?(?P<n2>\d+)[.):]\s+(?P<rest2>.*)$", re.I)
CHOSEN_OPTION = re.compile(r"\b(?:chosen|selected|preferred)\s+(?:option|alternative|solution|approach)\s*:?\s*"
                           r"[\"“'\[]?(?P<text>[^\"”'\]\n]{1,80})", re.I)
# an option that is an action on what is there, not a technology to choose: "Replace all X with Y", "Fork the X charts",
# "Contribute patches to X", "Enable X's self-signed TLS", "Wait for X's next mode"; turning it down keeps X
ACTION_OPTION = re.compile(r"^\W*(?:replace|replacing|swap|remove|removing|drop|dropping|retire|fork|forking|patch|patching|"
                           r"contribute|contributing|wait|waiting|enable|enabling|disable|disabling|turn (?:on|off)|"
                           r"upgrade|upgrading|downgrade|extend|extending|modify|modifying|wrap|wrapping|configure|"
                           r"configuring|reconfigure|tune|tuning|"
                           # how to run what is there: "Allow Harbor robot accounts…", "Do not expose Jaeger UI",
                           # "Spread ArgoCD services on application Nodes"
                           r"allow|allowing|expose|exposing|spread|spreading|restrict|restricting|limit|limiting|"
                           r"block|blocking|deny|denying|grant|granting|do not|don't|never|no longer|test|testing)\b",
                           re.I)
OPTION_REFERENCE = re.compile(r"\b(?:option|alternative|approach)\s+(?P<n>\d+[a-z]?|[A-Z])\b", re.I)
LEADING_VERB = re.compile(rf"^(?:(?:{CHOOSE}|create|build|write|keep|stay with|continue with|do|add|try|run|host|"
                          rf"store|implement|rely on|buy|self-host|reuse|re-use|follow|extend|introduce|refine|improve|enhance|"
                          rf"harden|tune|fix|patch|the|a|an)\s+)+",
                          re.I)


@dataclass
class Reading:
    """What one text says: names chosen, turned down, retired, and (old, new) replacements."""

    chosen: list[Name] = field(default_factory=list)
    rejected: list[Name] = field(default_factory=list)
    removed: list[Name] = field(default_factory=list)
    replaced: list[tuple[Name, Name]] = field(default_factory=list)



# "the asyncio library aiohttp", "a Python package called orjson": the kind of thing, then its name; "a (vetted)
# third-party experimentation tool called Convert": the name after "called", however it is written
KIND_THEN_NAME = re.compile(r"^\s*(?:the|a|an)\s+(?:\([^()]{1,40}\)\s+)?(?:[\w.+-]+\s+){0,3}?(?:library|framework|package|"
                            r"module|gem|crate|tool|plugin|service|product|platform)\s+(?:(?:called|named)\s+"
                            r"(?P<called>[A-Za-z][\w.+-]*[A-Za-z0-9])|(?P<name>[a-z][\w.+-]*[a-z0-9]))\b")


def _first(phrase: str, code: frozenset[str]) -> list[Name]:
    # "Use `transaction` mode", "`private` instead of `public`": a lower-case everyday word in a code span is
    # a setting's value, not a product
    kind = KIND_THEN_NAME.match(phrase)
    if kind:
        group = "called" if kind.group("called") else "name"
        word = kind.group(group)
        # what the words call a library is its name, however it is written ("the asyncio library aiohttp"); a
        # lower-case everyday word is none ("a tool called make")
        if not (word.islower() and is_everyday_word(word)):
            return [Name(word, None, kind.start(group), kind.end(group))]
    # ("use bash and ruby" in a title that writes them as its verb's objects: a technology the gazetteer knows)
    return [n for n in names_in(phrase, code) if not (n.text.islower() and is_everyday_word(n.text))
            or n.text in code and known_spelling(n.text) is not None]


# what a removal may take away that is a part of something, not a product: "remove the OIDC-redirect branches",
# "removes ArgoCD-managed resources", "remove the Profile-API fallback"
# ("remove the Terraform import step": a word or two may stand between the name and the part it qualifies)
REMOVED_PARTS = re.compile(r"\s*(?:/\s*[\w.-]+\s*)*(?-i:(?!and\b|or\b)[a-z][\w-]*\s+|API\s+){0,2}?(?:resources?|branch(?:es)?|code|paths?|flags?|"
                           r"files?|settings?|blocks?|providers?|lines?|sub-?stacks?|modules?|imports?|scripts?|tasks?|"
                           r"hooks?|annotations?|labels?|crds?|helmreleases?|"
                           r"config(?:uration)?s?|logic|calls?|endpoints?|routes?|tables?|fields?|columns?|jobs?|"
                           r"workflows?|references?|fallbacks?|redirects?|modes?|features?|toggles?|checks?|steps?|"
                           r"permissions?|roles?|policies|policy|rules?|secrets?|variables?|components?|objects?|"
                           r"releases?|deployments?|pods?|instances?|artifacts?|volumes?|quer(?:y|ies)|charts?|catalogs?|"
                           # one function of a product: "replacing Kubernetes API auth", "remove the Jenkins login"
                           r"auth|authentication|authori[sz]ation|logins?|sign-?ins?|manifests?|apps?)\b", re.I)
# a packaging word in front of what a removal takes away: "Remove standalone Prometheus/Grafana apps" (once a bundle
# deploys them), "drop the separate Redis": that copy goes, the product stays
PACKAGING_BEFORE = re.compile(r"\b(?:standalone|stand-alone|separate|separately[- ]deployed|duplicate|duplicated|"
                              r"redundant|extra|additional)\s+$", re.I)
PLANNED = re.compile(r"\b(?:is|are)\s+to\s+$|\b(?:plans?|planned|planning|wants?|would like|desire|intends?|aims?|"
                     r"hopes?|expects?)\s+to\s+$|\bworking\s+on\s+$|\bgoing\s+to\s+$|\bshould\s+$", re.I)
# a version after a name: what a retirement takes away is that version ("Helm v2 is no longer supported")
VERSION_AFTER = re.compile(r"\s*(?:v|version\s+)?\d+(?:\.[\dx]+)*\+?\b", re.I)


def removed_things(names: list[Name], phrase: str) -> list[Name]:
    """The names a removal takes away: not a name that only qualifies a part of something ("the legacy
    code-exchange / OIDC-redirect branches"), nor one written as an adjective ("ArgoCD-managed")."""
    out = []
    packaged = False  # a packaging word in front of a list shares its names ("standalone X and Y")
    for i, n in enumerate(names):
        joined = i > 0 and re.fullmatch(r"\s*(?:/|,|&|and|or)\s*", phrase[names[i - 1].end:n.start]) is not None
        packaged = PACKAGING_BEFORE.search(phrase[:n.start]) is not None or joined and packaged
        if packaged:
            continue
        if re.search(r"-(?:managed|based|driven|specific|related|owned|backed|only|style|like|aware|enabled)$",
                     n.text, re.I):
            continue
        # a list of names ("a / b / c branches") shares the noun after its last name
        last = n
        for later in names[i + 1:]:
            if re.fullmatch(r"\s*(?:/|,|&|and|or)\s*", phrase[last.end:later.start]):
                last = later
            else:
                break
        if REMOVED_PARTS.match(phrase[last.end:]):
            continue
        out.append(n)
    return out


def name_heads(names: list[Name], phrase: str) -> list[Name]:
    """The names a phrase speaks of themselves: in "instead of the Keycloak realm", "use a UNIX socket" or "instead
    of New Relic sending alerts" the name qualifies what follows it; "the gitops-bridge tooling" is still the tool."""
    out = []
    for n in names:
        # a name that ends its clause ("not to use Go or KCL; the rationale …") qualifies nothing after it
        m = None if re.search(r"[,;:.!?]$", phrase[n.start:n.end]) else re.match(r"\s+([a-z][\w-]*)", phrase[n.end:])
        if m and m.group(1) not in BOUNDARY and m.group(1) not in ("and", "or", "nor") \
                and m.group(1) not in KIND_WORDS:
            continue
        out.append(n)
    return out


def split_slashes(names: list[Name]) -> list[Name]:
    """'Prometheus/Mimir' is two names; 'CI/CD' and 'TCP/IP' are one."""
    out: list[Name] = []
    for n in names:
        parts = slash_parts(n.text)
        if parts:
            out += [Name(p.strip(), None, n.start, n.end) for p in parts if p.strip()]
        else:
            out.append(n)
    return out


def read_title(title: str, code: frozenset[str] = frozenset()) -> Reading:
    """What an ADR's title decides: 'Use X for Y', 'Replace X with Y', 'Migrate from X to Y', 'Remove X';
    a title of several clauses ('Do not use HAProxy; Use AWS ALBs') says each."""
    clauses = [c.strip() for c in re.split(r"\s*;\s*|,\s+(?:and\s+)?(?=(?:use|adopt|move|migrate|switch|remove|"
                                         r"replace|do not|don't|drop|retire|stop using)\b)", title.strip(), flags=re.I)
               if c.strip()]
    if len(clauses) > 1:
        out = Reading()
        for clause in clauses:
            part = _read_title_clause(clause, code)
            out.chosen += part.chosen
            out.rejected += part.rejected
            out.removed += part.removed
            out.replaced += part.replaced
        # "Remove Kong, use Istio": what the record chose replaces what it removed
        for gone in out.removed:
            for new in out.chosen[:1]:
                if (gone, new) not in out.replaced:
                    out.replaced.append((gone, new))
        return out
    return _read_title_clause(title, code)


def _read_title_clause(title: str, code: frozenset[str]) -> Reading:
    """One clause of a title: 'Use X', 'Replace X with Y', 'Remove X', 'X will not be applied'; and what it goes
    'without' ('BOSH access without SOCKS5 or SSH', 'Use Kafka without ZooKeeper') is turned down."""
    w = re.search(r"\s+without\s+(?:(?:the|a|an|any|using|relying on)\s+)?", title, re.I)
    if w:
        out = _read_title_clause(title[:w.start()], code)
        gone = split_slashes(_first(title[w.end():], code))
        if gone and gone[0].start == 0:
            out.rejected += [g for g in gone if all(g.text.lower() != c.text.lower() for c in out.chosen)]
        return out
    out = Reading()
    text = title.strip()
    m = COMBINE.match(text)
    if m:
        # "Combine api-redis into backend-redis": what is folded in goes, what it goes into stays
        olds, news = split_slashes(_first(m.group("old"), code)), _first(m.group("new"), code)
        olds = [o for o in olds if not news or o.text.lower() != news[0].text.lower()]
        if olds and news:
            out.replaced += [(o, news[0]) for o in olds]
            out.removed += olds
            out.chosen.append(news[0])
            return out
    m = REPLACE.search(text)
    if m and m.start() == 0:
        old, new = _tail_name(m.group("old"), code), _first(m.group("new"), code)
        if old and new:
            # "Replace Trino/Starburst Galaxy with StarRocks": each of the names it replaces
            for each in split_slashes([old]):
                out.replaced.append((each, new[0]))
                out.removed.append(each)
            out.chosen += new
            return out
    m = MOVE_FROM.search(text) or UPGRADE.match(text)
    if m:
        olds, news = _first(m.group("old"), code), _first(m.group("new"), code)
        others = [o for o in olds if not news or not same_product(o.text, news[0].text)]
        if others and news:
            out.replaced += [(o, news[0]) for o in others]
            out.removed += others
            out.chosen += news
            return out
        if olds and news:  # "Upgrade PostgreSQL 13 to PostgreSQL 15": a new version of what it had
            out.chosen += news
            return out
    # "Remove X", "Retire Use of X", "Stop using X", "Phase out the use of X"
    m = re.match(r"^(?:and\s+)?(?:remove|retire|decommission|deprecate|drop|sunset|stop using|stop|phase out|removing|"
                 r"retiring|decommissioning|deprecating|dropping|sunsetting|stopping|phasing out)\s+"
                 r"(?:(?:the\s+|our\s+)?(?:use|usage)\s+of\s+)?(?P<rest>.+)$", text, re.I)
    if m:
        gone = split_slashes(_first(m.group("rest"), code))
        out.removed += gone
        # "Remove Kong, use Istio": the second half chooses the successor
        # "Remove OAuth2 in Favor of Basic Auth for Staging": the favoured one too
        u = re.search(r"(?:[,;]\s*(?:and\s+)?(?:use|adopt|move to|switch to)|[,;]?\s+in\s+favou?r\s+of)\s+",
                      m.group("rest"), re.I)
        if u:
            # (not "… in Favor of Integration & E2E Tests": a title-cased everyday word is a practice, no product)
            new = [n for n in _first(m.group("rest")[u.end():], code)
                   if not (" " not in n.text and is_everyday_word(n.text) and n.text not in code)
                   and n.text.split()[-1].lower() not in NOT_A_TECHNOLOGY_HEAD | {"tests", "testing"}][:1]
            out.chosen += new
            out.replaced += [(g, new[0]) for g in gone if new]
        return out
    m = TITLE_REJECT.match(text)
    if m:
        phrase = m.group("name") or m.group("subject")
        names = _first(phrase, code)
        # "No Kafka", "Do not use the managed broker": a name; "no synchronous service-to-service calls": a way
        # of working, whose words are no product
        if names and re.fullmatch(r"\s*(?:(?:the|a|an|any)\s+)?", phrase[:names[0].start], re.I):
            out.rejected += split_slashes(names)
        return out
    m = MOVE_TO.match(text)
    if m:
        news = split_slashes(_first(m.group("new"), code))
        out.chosen += news
        # "Migrate to GitHub Actions instead of CircleCI": what the move leaves is replaced by where it goes
        a = AGAINST.search(m.group("new"))
        olds = _first(m.group("new")[a.end():], code) if a and news else []
        for old in olds:
            if not same_product(old.text, news[0].text):
                out.replaced.append((old, news[0]))
                out.removed.append(old)
        return out
    m = TITLE_CHOOSE.match(text)
    if m:
        rest = m.group("rest")
        chosen = split_slashes(_first(rest, code))
        place = TITLE_PLACE.match(text)
        if not chosen and place:
            chosen = split_slashes(_first(place.group("place"), code))
        chosen = _specific(chosen, rest, code)
        out.chosen += chosen
        # "Use X over Y", "Use X instead of Y"
        for against in (OVER, AGAINST):
            a = against.search(rest)
            if a and chosen:
                out.rejected += _first(rest[a.end():], code)
        return out
    # "Iceberg over Delta Lake / Hudi", "Flink over Spark Streaming": the name before "over" is the choice, the
    # ones after it were turned down (a comparison, "Kafka vs RabbitMQ", chooses nothing)
    m = TITLE_OVER.match(text)
    if m:
        first = _first(m.group("chosen"), code)
        if len(first) == 1 and first[0].start == 0 and first[0].end >= len(m.group("chosen").rstrip()) \
                and not is_everyday_word(first[0].text) and not m.group("others").lower().startswith("to "):
            out.chosen += first
            out.rejected += split_slashes(_first(m.group("others"), code))
            return out
    m = TITLE_BY_MEANS.match(text)
    if m and is_everyday_word(m.group("verb")) and _gazetteer().get(m.group("verb")) is None:
        # "Define Interfaces using WIT", "Push Metrics via Thanos": what the record does, and the means it chose
        means = split_slashes(_first(m.group("means"), code))
        # the whole means is the name ("… using Prometheus adapter" names an adapter, not Prometheus)
        if means and means[0].start == 0 and means[-1].end >= len(m.group("means").rstrip(" .")):
            out.chosen += means
            return out
    m = TITLE_AS_ROLE.match(text)
    if m:
        # "Keycloak as IdP", "PostgreSQL as the primary datastore": the name the title gives a role is the choice
        names = _first(m.group("name"), code)
        if len(names) == 1 and names[0].start == 0 and names[0].end >= len(m.group("name").rstrip(" .")):
            out.chosen += names
    return out


# a title that does something by some means: "Define Interfaces using WIT", "Push Metrics via Thanos"
TITLE_BY_MEANS = re.compile(r"^(?P<verb>[A-Za-z][a-z]+)\s+[^,;:()]{1,50}?\s+(?:using|via|by means of)\s+(?P<means>.+)$")
TITLE_OVER = re.compile(r"^(?P<chosen>[^,;:]{2,60}?)\s+over\s+(?P<others>.+)$", re.I)


def _specific(chosen: list[Name], phrase: str, code: frozenset[str]) -> list[Name]:
    """'Use GitOps (ArgoCD, app-of-apps)': the name in brackets after the choice is the specific technology chosen;
    a practice or kind of thing before it ("GitOps", "a database") is no technology of its own."""
    from ..resolve import GENERIC

    if not chosen:
        return chosen
    inside = re.match(r"\s*\(([^()]+)\)", phrase[chosen[0].end:])
    found = split_slashes(_first(inside.group(1), code)) if inside else []
    if not found or found[0].start != 0 or re.match(r"v?\d", found[0].text):
        return chosen  # "Use Terraform (v1.5)": a version, no second name
    head = [] if chosen[0].text.lower() in GENERIC else chosen[:1]
    return head + found[:1] + chosen[1:]


def _tail_name(phrase: str, code: frozenset[str]) -> Name | None:
    """The name a descriptive phrase ends on: 'JS Test Framework Jest' -> Jest."""
    names = _first(phrase, code)
    if not names:
        return None
    words = names[0].text.split()
    for i in range(len(words) - 2, -1, -1):
        if words[i].lower() in ("framework", "library", "tool", "platform", "service", "database", "language"):
            rest = " ".join(words[i + 1:])
            return Name(rest, names[0].abbreviation, names[0].start, names[0].end)
    return names[0]


# "We considered using X but…", "We briefly looked at X as well, but decided…", "X was considered but rejected"
WEIGHED = r"(?:considered|looked at|looked into|evaluated|investigated|explored|tried|trialled|prototyped|assessed)"
WEIGHED_ACTIVE = re.compile(rf"\b(?:we|i|the team)\s+(?:\w+\s+)?{WEIGHED}\s+(?:using\s+|adopting\s+|running\s+)?", re.I)
WEIGHED_PASSIVE = re.compile(rf"\b(?:was|were)\s+(?:also\s+|briefly\s+)?{WEIGHED}\b[^.;]{{0,40}}?\bbut\b", re.I)


ROLE_AND = re.compile(r"^\s*as\s+(?:(?:our|the|a|an|its|their)\s+)?[\w /-]{1,40}?\s+and\s+(?:(?:the|our)\s+)?", re.I)
# what an alternatives section says was weighed, without a "but": "Sealed Secrets and SOPS were also considered",
# "Primary alternatives considered were SecureAuth or a PIV proxy", "Parameter Store is a second alternative"
WEIGHED_SUBJECT = re.compile(rf"^(?P<names>.+?)\s+(?:was|were|have been|has been)\s+(?:also\s+|briefly\s+)?{WEIGHED}\b",
                             re.I)
WEIGHED_LIST = re.compile(rf"\b(?:alternatives?|options?)\s+(?:we\s+)?(?:\w+\s+)?{WEIGHED}\s+(?:were|was|are|include[sd]?)"
                          r"\s*:?\s*", re.I)
AN_ALTERNATIVE = re.compile(r"^(?P<names>.+?)\s+(?:is|was)\s+(?:a|an|another|the)\s+(?:\w+\s+)?(?:alternative|option)\b",
                            re.I)


# an option set aside before it was weighed: "We shouldn't consider X because …", "we will not consider X"
NOT_CONSIDERED = re.compile(r"\b(?:we|i|the team)\s+(?:should|shall|will|would|do|did|need|can)\s*(?:not|n['’]t)\s+"
                            r"(?:even\s+|further\s+)?consider\s+(?:using\s+|adopting\s+)?", re.I)


def weighed_alternatives(sentence: str, code: frozenset[str] = frozenset()) -> list[Name]:
    """The names an alternatives section says were weighed, however it says so (see WEIGHED_SUBJECT)."""
    out = weighed_but(sentence, code)
    for pattern in (WEIGHED_SUBJECT, AN_ALTERNATIVE):
        m = pattern.match(sentence.strip())
        if m:
            names = _first(m.group("names"), code)
            if names and names[0].start <= 12:  # the sentence's subject is the names, not a clause about them
                out += split_slashes(names)
    m = WEIGHED_LIST.search(sentence)
    if m:
        out += split_slashes(_first(sentence[m.end():], code))
    m = NOT_CONSIDERED.search(sentence)
    if m:  # "We shouldn't consider LaunchDarkly because …"
        names = _first(sentence[m.end():], code)
        out += names[:1] if names and names[0].start == 0 else []
    return out


def weighed_but(sentence: str, code: frozenset[str] = frozenset()) -> list[Name]:
    """What a sentence says was weighed and then not taken: 'We looked at X but…', 'X was considered but…'."""
    out: list[Name] = []
    if "but" not in sentence.lower():
        return out
    for m in WEIGHED_ACTIVE.finditer(sentence):
        after = sentence[m.end():]
        names = _first(after, code)
        if names and re.match(r"\s*(?:v?[\d.]+\s*)?(?:\([^)]*\)\s*)?(?:as well|too|also)?\s*,?\s*but\b", after[names[-1].end:], re.I):
            out += split_slashes(names)
    for m in WEIGHED_PASSIVE.finditer(sentence):
        before = last_name_before(sentence[: m.start()], code)
        if before is not None:
            out.append(before)
    return out


def read_sentence(sentence: str, code: frozenset[str] = frozenset(), in_decision: bool = True,
                  stated: bool = False) -> Reading:
    """What one sentence decides. In a decision section a plain 'Use X' counts; elsewhere only 'we decided…'.
    `stated`: the sentence is a record's whole statement of its practice (a plain page's lead), where "we use X"
    is the decision; in a decision section it may tell what is used elsewhere ("On GOV.UK Forms, we use X")."""
    out = Reading()
    if "http" in sentence:
        sentence = CITED_ADDRESS.sub("", sentence)  # "have decided (https://docs…/edit) to move to X"
    # "We will keep X until we outgrow it, in which case we will switch to Y": what follows is a condition's outcome
    sentence = CONDITION_OUTCOME.split(sentence, maxsplit=1)[0]
    if CONDITIONAL_MOVE.match(sentence):
        return out  # "If the volume grows we would move to Y", "Should more control be needed, we will switch to Y"
    out.rejected += weighed_but(sentence, code)
    labelled = LABELLED_CHOICE.match(sentence)
    if labelled:
        # "**Chosen:** Calico network policy enforcement", "Selected: IRSA, instead of kiam"
        rest = labelled.group("rest")
        out.chosen += split_slashes(_first(rest, code))[:1]
        for m in AGAINST.finditer(rest):
            out.rejected += split_slashes(name_heads(_first(rest[m.end():], code), rest[m.end():]))
        return out
    strong = bool(STRONG_DECISION.search(sentence))
    if not in_decision and not strong:
        # outside a decision, only retirement and replacement statements count
        lifecycle(sentence, code, out)
        return out
    if HEDGE.search(sentence) and (not strong or HEDGE_ADVERB.search(sentence)):
        lifecycle(sentence, code, out)
        return out
    lifecycle(sentence, code, out)
    against_spans: list[tuple[int, int]] = []
    for m in AGAINST.finditer(sentence):
        if m.group(0).startswith(",") and not (strong or COMMITTED.search(sentence[:m.start()])
                                               or IMPERATIVE.match(sentence)):
            continue  # "KEDA uses external metrics, not CPU": a contrast in a description, no decision
        names = _first(sentence[m.end():], code)
        removal = REMOVE_VERB.search(re.split(r"[;:,]", sentence[:m.start()])[-1])
        if re.match(r"in\s+favou?r", m.group(0), re.I) and removal:
            # "Remove OAuth2 in favour of Basic Auth", "we will drop Travis in favour of Jenkins": what is favoured
            # comes in (but "use X in favour of Y" turns Y down)
            old = _first(sentence[removal.end():m.start()], code)
            if names:
                out.chosen.append(names[0])
                if old:
                    out.replaced.append((old[0], names[0]))
            against_spans.append((m.start(), m.end() + (names[-1].end if names else 0)))
            continue
        out.rejected += split_slashes(name_heads(names, sentence[m.end():]))
        against_spans.append((m.start(), m.end() + (names[-1].end if names else 0)))
    for m in CHOOSE_VERB.finditer(sentence):
        if any(a <= m.start() < b for a, b in against_spans):
            continue
        clause = re.split(r"[;:,]|\bbut\b|\bhowever\b|\binstead\b", sentence[: m.start()])[-1]
        before = re.split(r"[;:]", sentence[: m.start()])[-1]
        # "Applications use X" describes; "we will use X", "Use X", "Implementing X offers…" decide
        # ("To use Login.gov.": a decision section's infinitive is its imperative)
        # ("To remove routing from containers we use X to …" as a plain page's statement of its practice)
        # ("Only use bash and ruby for scripting": an imperative with its adverb)
        if not (SELF_DECIDING.match(m.group(0)) or strong or not ONLY_ADVERB.sub("", before).strip()
                or COMMITTED.search(before)
                or IMPERATIVE.match(before) or in_decision and re.fullmatch(r"\W*to\s+", before, re.I)
                or stated and PRESENT_USE.search(before) and m.group(0).strip().lower() in ("use", "using")):
            continue
        if re.search(r"\b(?:did|had|used to|previously|originally|initially|currently|already|still)\s*$", clause, re.I):
            continue  # "We did use Siegfried in the Alpha", "will still use MinIO": history or what stays, no decision
        if TRIAL.search(clause):
            continue  # "we decided to attempt to replicate it using X": a trial, not the decision
        reason = list(re.finditer(r"\b(?:because|since|than)\b", sentence[:m.start()], re.I))
        if reason and not re.search(r",\s*(?:so\s+)?we\b|\bwe\s+(?:will|shall|decided|chose)\b",
                                    sentence[reason[-1].end():m.start()], re.I):
            continue  # "Istio, because it is easier to configure than only using Envoy": a reason, no choice
        if not in_decision and CITED_DECISION.search(before):
            continue  # "as a consequence of our decision to adopt X": a decision cited, not made here
        if re.match(r"(?:two|three|four|five|several|multiple|many|\d+)\s", sentence[m.end():], re.I):
            continue  # "Deploy two Gateway resources": a count of things of a kind, no product chosen
        # "use a combination of Auth0 and an OIDC proxy": the parts are what is used
        combination = COMBINATION.match(sentence[m.end():])
        object_at = m.end() + (combination.end() if combination else 0)
        read = split_slashes(_first(sentence[object_at:], code))
        if not read:
            continue
        names = read
        if RUN_VERB.match(m.group(0).strip()):
            on = re.match(r"\s+(?:on|onto|in)\s+", sentence[object_at + read[-1].end:])
            host = _first(sentence[object_at + read[-1].end + on.end():], code) if on else []
            if host and host[0].start == 0:
                continue  # "We will run K3s on Contabo": the choice is the host, read as "run on"
        if re.match(r"(?:a|an|one)\s", sentence[m.end():], re.I):
            names = name_heads(names, sentence[m.end():])  # "use a UNIX socket": a kind of thing, not a product
        # "amended to use Acme colours and brand": an organisation's look, not a technology
        names = [n for n in names if not BRAND_AFTER.match(sentence[object_at + n.end:])]
        # the verb's own negation, not one a long clause before it; "we decided to stop using X" retires X
        if NEGATED.search(clause[-40:]) or STOPPED.search(clause):
            out.rejected += names
            continue
        out.chosen += names
        # "chose X over Y", "prefer X over Y"
        after = sentence[m.end() + read[-1].end:]
        w = re.match(r"^\s*(?:\([^)]{0,40}\)\s*)?(?:together\s+)?(?:with|alongside|plus|and)\s+", after)
        if w:  # "use Infisical (self-hosted) with External Secrets Operator": both are the choice
            out.chosen += names_in(after[w.end():], code)[:1]
        # "use US-West-2 as our primary region and US-East-1 as our recovery region": each in its role is chosen
        r = ROLE_AND.match(after)
        if r:
            second = names_in(after[r.end():], code)[:1]
            if second and re.match(r"\s*as\b", after[r.end() + second[0].end:]):
                out.chosen += second
        o = OVER_AFTER.match(after)
        if o and not re.match(r"\s*(?:other|all|any|the other)\s", after[o.end():], re.I):
            out.rejected += name_heads(_first(after[o.end():], code), after[o.end():])  # not "over other MVC frameworks"
    # "we will move all sensitive secrets in the S3 files to AWS Secrets Manager": where things move is chosen
    for m in MOVE_THINGS_TO.finditer(sentence):
        before = sentence[: m.start()]
        clause = re.split(r"[;:,]|\bbut\b", before)[-1]
        # the move itself is what is committed to ("we will move", "decided to migrate"), not a later step
        # ("this will be revisited upon moving … into GovCloud")
        committed = re.search(r"(?:\b(?:will|shall|must|'ll|to|are going to)\s+(?:\w+ly\s+)?|^\W*)$", before, re.I)
        if not committed or NEGATED.search(clause[-40:]):
            continue
        names = _first(sentence[m.end():], code)
        if names and names[0].start <= 4:
            out.chosen.append(names[0])
    for m in CHOSEN_PASSIVE.finditer(sentence):
        before = last_name_before(sentence[: m.start()], code)
        if before is not None and m.group().lower().endswith("used") \
                and not re.fullmatch(r"[\s)\]\"'’”*_`]*", sentence[before.end:m.start()]):
            continue  # "Cloud init will be used": the name must be what will be used, right before the verb
        if before is not None and not NEGATED.search(sentence[max(0, m.start() - 12): m.start()]):
            out.chosen.append(before)
            o = OVER.search(sentence[m.end():])
            if o and o.start() < 30:
                out.rejected += _first(sentence[m.end() + o.end():], code)
    for m in IS_THE_CHOSEN.finditer(sentence):
        # "OTLP is the chosen tracing protocol over Jaeger, or Zipkin": the subject is chosen, what it beat turned down
        before = last_name_before(sentence[: m.start()], code)
        if before is None or not re.fullmatch(r"[\s)\]\"'’”*_`]*(?:\([^()]{1,20}\)\s*)?", sentence[before.end:m.start()]) \
                or NEGATED.search(m.group(0)):
            continue
        out.chosen.append(before)
        if m.group("over"):
            others = re.split(r",?\s+(?:because|since|as|due to|which|given)\b|[;(]", sentence[m.end():], maxsplit=1)[0]
            out.rejected += split_slashes(name_heads(_first(others, code), others))
    for m in OF_CHOICE.finditer(sentence):
        # "We are using Amazon Web Services as our hosting provider of choice": the name given the role is chosen
        before = last_name_before(sentence[: m.start()], code)
        if before is not None and before.end == m.start() and not NEGATED.search(sentence[:before.start]):
            out.chosen.append(before)
    for m in KEPT_IN.finditer(sentence):  # "Metadata will be stored in MongoDB": where things will live is chosen
        names = _first(sentence[m.end():], code)
        # the name right after the verb: "stored in a configuration file (JSON)" names a format, not a store
        if names and names[0].start == 0 and not NEGATED.search(sentence[max(0, m.start() - 12): m.start()]):
            out.chosen.append(names[0])
    for m in MAKES_BEST.finditer(sentence):
        names = _first(m.group("name"), code)
        if names and names[0].start == 0 and not NEGATED.search(sentence[max(0, m.start() - 12): m.start()]):
            out.chosen.append(names[0])
    for m in REJECTED_PASSIVE.finditer(sentence):
        before = last_name_before(sentence[: m.start()], code)
        if before is not None:
            out.rejected.append(before)
    for _old, new in out.replaced:  # "we will move from X to Y" chooses Y
        if new.text.lower() not in {n.text.lower() for n in out.chosen}:
            out.chosen.append(new)
    lead = WEIGHED_LEAD.match(sentence)
    if lead and out.chosen:
        # "After evaluating the above, including `pip-tools`, `poetry` and `pip-compile-multi`, `pip-compile-multi`
        # was selected": the others weighed in the same breath were turned down
        weighed = sentence[lead.end():min(n.start for n in out.chosen)]
        for piece in re.split(r",|\b(?:and|or)\b", weighed):
            piece = re.sub(r"^\s*(?:including|such as|namely|the above|in greater depth)?\s*", "", piece, flags=re.I)
            found = _first(piece, code)[:1]
            if found and found[0].start == 0:
                out.rejected += found
    chosen_keys = {n.text.lower() for n in out.chosen}
    out.rejected = [n for n in out.rejected if n.text.lower() not in chosen_keys]
    return out


# a name called the choice: "X is the chosen tracing protocol over Y, or Z", "X was our preferred option"
IS_THE_CHOSEN = re.compile(r"\s+(?:is|was|has been|will be|remains)\s+(?:now\s+)?(?:the|our)\s+(?:chosen|preferred|"
                           r"selected)\b[^.;,]{0,50}?(?:(?P<over>\s+over\s+)|(?=[.;,]|$))", re.I)
# a role the record gives its choice: "X as our hosting provider of choice"
OF_CHOICE = re.compile(r"\s+as\s+(?:our|the)\s+(?:[\w-]+\s+){1,4}?of\s+choice\b", re.I)
# an organisation's look after its name: "Acme colours and brand", "the Council's logo", "our house style"
BRAND_AFTER = re.compile(r"(?:['’]s)?\s+(?:colou?rs?|brand|branding|logos?|fonts?|typefaces?|palette|house\s+style|"
                         r"visual\s+identity|tone\s+of\s+voice)\b", re.I)
# what a condition would lead to, after the decision: "…, in which case we will switch to Y", "…, at which point …"
CONDITION_OUTCOME = re.compile(r"[,;]?\s*\b(?:in which case|at which point|in that case|in the event (?:that|of))\b", re.I)
# a move on a condition: "If …, we will move to Y", "Should more control be needed, we would switch to Y"
CONDITIONAL_MOVE = re.compile(r"^\W*(?:if|unless|should|in case)\b[^.;]*\b(?:move|moving|migrate|migrating|switch|"
                              r"switching|transition|transitioning|replatform|re-platform)\b", re.I)


# an address in brackets that cites where a sentence's decision was argued: "we have decided (<https://…>) to move to X"
CITED_ADDRESS = re.compile(r"\s*\(\s*<?https?://[^\s()<>]+>?\s*\)")


# a choice made after weighing several: "After evaluating A, B and C, B was selected"
WEIGHED_LEAD = re.compile(r"^\W*(?:after|having)\s+(?:evaluat|consider|compar|assess|trial|test|review|investigat)\w*\s+",
                          re.I)


NEED_REMOVED = re.compile(r"\b(?:remov|eliminat|obviat)\w*\s+(?:the\s+need\s+for|(?:our|the|its|their)\s+(?:last\s+|only\s+|"
                          r"remaining\s+)?(?:dependency|dependence|reliance)\s+on)\s+", re.I)
MOVE_THEM = re.compile(r"\b(?:move|moving|migrate|migrating)\s+(?:them|it|these|those|everything|all of (?:them|it))\s+"
                       r"(?:over\s+)?(?:to|onto|into)\s+", re.I)


# words without which a sentence states no retirement or replacement: a cheap test before the patterns
LIFECYCLE_WORDS = re.compile(r"remov|retir|eliminat|decommission|deprecat|\bdrop|terminat|sunset|stop(?:ped)? using|no longer|phas|"
                             r"turn(?:ed)? off|shut|switch|\bmov|migrat|replac|swap|substitut|need for|transition|"
                             r"not used|get rid|got rid", re.I)


# a change the sentence itself marks as optional or for later: "replacing the API login entirely (optional later)"
HEDGED_ASIDE = re.compile(r"\(\s*(?:optional(?:ly)?|maybe|possibly|perhaps|later|eventually|tbd|if (?:needed|required|"
                          r"time permits)|nice[- ]to[- ]have|stretch(?: goal)?|future)\b[^()]{0,30}\)", re.I)


def lifecycle(sentence: str, code: frozenset[str], out: Reading) -> None:
    """Retirements and replacements a sentence states, wherever it stands."""
    if not LIFECYCLE_WORDS.search(sentence) or HEDGED_ASIDE.search(sentence):
        return
    # "using the forms-admin app to serve the endpoints … removing the need for forms-api"
    m = NEED_REMOVED.search(sentence)
    if m:
        gone = _first(sentence[m.end():], code)
        # "eliminates the need for Redis as a broker": X is no longer needed in one role, which says nothing of X
        if gone and re.match(r"[\s,]*(?:as|for)\s", sentence[m.end() + gone[0].end:], re.I):
            gone = []
        using = re.search(r"\b(?:using|use|uses|with)\s+", sentence[: m.start()], re.I)
        successor = _first(sentence[using.end(): m.start()], code) if using else []
        if gone:
            out.removed.append(gone[0])
            if successor and successor[0].text.lower() != gone[0].text.lower():
                out.replaced.append((gone[0], successor[0]))
    # "evaluate the dashboards in the existing Grafana instance and move them to Cloudwatch"
    m = MOVE_THEM.search(sentence)
    if m:
        old = last_name_before(re.sub(r"\s+and\s*$", "", sentence[: m.start()].rstrip()), code)
        new = _first(sentence[m.end():], code)
        if old is not None and new and old.text.lower() != new[0].text.lower():
            out.replaced.append((old, new[0]))
    for m in REMOVE_VERB.finditer(sentence):
        clause = re.split(r"[;:,]|\bbut\b", sentence[: m.start()])[-1]
        if re.search(r"\b(?:not|no|never|without|if|whether|could|might|may|would|cannot|can't)\b", clause, re.I):
            continue
        if PLANNED.search(clause):
            continue  # "Part of this work is to remove X", "a desire to migrate off X": a plan, not a change made
        if INSTRUCTED.search(clause):
            continue  # "whenever you want to pause or remove X": a how-to
        if COMMAND_SUBJECT.match(clause):
            continue  # "This removes Authentik but preserves PostgreSQL": what a command does when run
        rest = sentence[m.end():]
        out.removed += split_slashes(removed_things(_first(rest, code), rest))
    for m in REMOVED_PASSIVE.finditer(sentence):
        if re.match(r"\s*(?:by default|unless|until|when|if)\b", sentence[m.end():], re.I):
            continue  # "is turned off by default": an option left off, not a retirement
        if HYPOTHESIS.search(re.split(r"[;:,]", sentence[: m.start()])[-1]):
            continue  # "Open WebUI loses its models when LiteLLM is removed": what would happen, not what did
        before = last_name_before(sentence[: m.start()], code)
        # (not "The Doris `postgres` catalog is removed": a part of something, named by what it is part of)
        if before is not None and not VERSION_AFTER.match(sentence[before.end:m.start()]) \
                and not re.search(r"\d", before.text) and not REMOVED_PARTS.match(sentence[before.end:m.start()]):
            out.removed.append(before)
    for pattern in (MOVE_FROM, MOVE_TO_FROM, REPLACE, REPLACED_BY):
        found = pattern.search(sentence)
        if not found:
            continue
        if _hypothetical(sentence[:found.start()]):
            continue  # "instructions to replace the in-cluster Redis with Memorystore": a how-to, not a change made
        if pattern in (MOVE_FROM, MOVE_TO_FROM) and MOVE_JUDGED.search(sentence[found.start():]):
            continue  # "moving from X back to Y becomes harder": a move the sentence weighs, not one made
        if re.match(r"\s*(?:your|yours|the name of|<|\{)", found.group("new"), re.I):
            continue  # "(replace `my-otel-demo` with your release name)": a placeholder to fill in, not a change
        old_phrase = found.group("old")
        new = _first(found.group("new"), code) or \
            _first(re.sub(r"^[^.;]{0,40}?\b(?:based on|using|built with|on top of)\s+", "", found.group("new"), count=1),
                   code)  # "to a build based on vite-rails"
        if pattern in (MOVE_FROM, MOVE_TO_FROM):
            olds = split_slashes(_first(old_phrase, code))  # "move from Gulp/Rollup/Sprockets to vite-rails"
        else:
            one = last_name_before(old_phrase, code) if pattern is REPLACED_BY else _tail_name(old_phrase, code)
            olds = [one] if one is not None else []
        for old in olds:
            if new and not same_product(old.text, new[0].text):
                out.replaced.append((old, new[0]))
                out.removed.append(old)


# what a sentence says of a move it names as its subject: "moving from X to Y becomes harder", "… would be costly"
MOVE_JUDGED = re.compile(r"\b(?:becomes?|became|gets?|got|is|are|was|were|will be|would be|would become|could be|"
                         r"remains?)\s+(?:much\s+|far\s+|a\s+lot\s+|slightly\s+|very\s+|more\s+|less\s+)?(?:harder|"
                         r"easier|difficult|simpler|possible|impossible|costly|expensive|cheaper|riskier|"
                         r"straightforward|feasible|unfeasible|painful|complex|complicated)\b", re.I)


def same_product(old: str, new: str) -> bool:
    """'from EKS managed nodes to EKS Fargate', 'from Postgres 12 to Postgres 16': one product's variants or versions,
    not one product replaced by another."""
    def bare(name: str) -> str:
        return re.sub(r"(?:\s+v?\d[\w.]*)+$", "", name.strip()).lower()

    a, b = bare(old), bare(new)
    return a == b or b.startswith(a + " ") or a.startswith(b + " ")


def _hypothetical(lead: str) -> bool:
    """Whether the words before a change make it a possibility or an instruction rather than a change made:
    "if you want to", "you can", "instructions to" (but "we decided to", "we will")."""
    clause = re.split(r"[;:]|\bbut\b", lead)[-1]
    if re.search(r"\b(?:if|can|could|may|might|optionally|want|wish|would|how)\b", clause, re.I):
        return True
    return bool(re.search(r"\bto\s*$", clause)) and not re.search(
        r"\b(?:decided|decide|decision|will|agreed|plan|planned|planning|going|need|needed|chose|chosen|intend|aim)\b",
        clause, re.I)


def last_name_before(text: str, code: frozenset[str] = frozenset()) -> Name | None:
    """The name a clause ends on: 'GOV.UK PaaS which' -> GOV.UK PaaS; 'the managed Grafana instance' -> Grafana."""
    text = re.sub(r"\s+(?:which|that|who)\s*$", "", text.rstrip())
    tokens = list(re.finditer(r"\S+", text))
    # walk back over lower-case head nouns ("instance", "app") to the last name run, then to its start
    i = len(tokens) - 1
    skipped = 0
    while i >= 0 and skipped <= 2:
        candidates = names_in(text[tokens[i].start():], code)
        if candidates and candidates[0].start == 0:
            j, names = i, candidates  # back over the words that still start a name, reading each once
            while j > 0 and tokens[j - 1].group(0)[-1:] not in ",;:.":
                before = names_in(text[tokens[j - 1].start():], code)
                if not (before and before[0].start == 0):
                    break
                j, names = j - 1, before
            n = names[0]
            offset = tokens[j].start()
            return Name(n.text, n.abbreviation, n.start + offset, n.end + offset)
        skipped += 1
        i -= 1
    return None


@dataclass
class Option:
    """One option an ADR weighed: its number (when it has one), its label and the names in it."""

    number: str
    label: str
    names: list[Name]
    line: int
    rejected_here: bool = False  # the option's own text turns it down ("Rejected due to cost.")
    chosen_here: bool = False  # the option's own text says it won ("**selected for K8s**")
    alternative: bool = False  # listed under "Alternatives considered": not what the record chose


OPTION_CHOSEN = re.compile(r"\b(?:selected|chosen|recommended|preferred|winner|adopted|accepted|go with this)\b", re.I)
OPTION_REJECTED = re.compile(r"\b(?:rejected|deferred|discarded|dismissed|ruled out|not (?:selected|chosen|pursued)|"
                             r"too (?:expensive|complex)|out of scope)\b", re.I)


# what stands before "chosen" in an option's text when another option is the one chosen: "Flux: comparable; ArgoCD
# chosen for its UI" ("It was chosen", "Selected" speak of the option itself)
CHOSEN_INSTEAD = re.compile(r"\b(?!(?:It|This|That|Which|And|But|Option|Approach|Was|Is)\b)[A-Z][\w.+-]+"
                            r"(?:\s+(?:was|is|has been|got|gets|were))?\s+$")


def option_verdict(text: str) -> tuple[bool, bool]:
    """(chosen, rejected) as an option's own text says it: '… - **selected for K8s**', '… - rejected (cost)';
    '… ArgoCD chosen for its UI' in another option's text says that option was not chosen."""
    rejected = bool(OPTION_REJECTED.search(text))
    m = OPTION_CHOSEN.search(text)
    if m and CHOSEN_INSTEAD.search(text[:m.start()]):
        return False, True
    chosen = m is not None and not rejected
    return chosen, rejected


# an option that is the absence of something: "No central IdP", "Without a service mesh", "Do nothing", "Status quo"
ABSENCE_OPTION = re.compile(r"^\W*(?:no|without|none|nothing|do nothing|doing nothing|status quo|keep (?:it|things)? ?as "
                            r"(?:is|it is|they are))(?:\s|$|\W)", re.I)


def option_names(label: str, links: list[str], code: frozenset[str] = frozenset()) -> list[Name]:
    """The names an option label stands for: its linked names, else the names after its verb."""
    if links:
        return [Name(t, None) for t in links if names_in(t, code)]
    m = OPTION_LABEL.match(label)
    rest = (m.group("rest") if m.group("rest") is not None else m.group("rest2")) if m else label
    rest = re.split(r"\s[-–—]\s|:\s", rest, maxsplit=1)[0].strip()
    rest = ONLY_TAIL.sub("", rest)  # "Docker Compose Only": the option is Docker Compose, used by itself
    if _everyday_label(rest, code):
        return []  # "Local Binaries", "Environment Variables Only": everyday words name a way of doing it, no product
    pair = EITHER_NAME.match(rest)
    if pair and all(not is_everyday_word(w) and (_lone_name(w, code) or w.islower()) for w in pair.group("a", "b")):
        # "### zerolog or zap", "Another library such as zerolog or zap": two names, each an option
        return [Name(pair.group("a")), Name(pair.group("b"))]
    single = re.fullmatch(r"[A-Za-z][\w.+-]*[A-Za-z0-9]", rest)
    if single and not names_in(rest, code) and _lone_name(rest, code):
        return [Name(rest, None, 0, len(rest))]  # "### 3. etcd": a label of one word is a name however written
    inner = re.fullmatch(r"\(([^()]+)\)", rest)
    if inner:  # "Option B (GitHub Wiki)"
        rest = inner.group(1)
    if re.match(r"^\W*(?:not|do not|don't|without|never)\s+(?:implement|adopt|use|support|add|introduce|build|chang)",
                rest, re.I) or ABSENCE_OPTION.match(rest):
        # "Not implementing OTEL based metrics support", "No central IdP (rejected long-term)", "Do nothing": the
        # option of doing without names no product, and turning it down wants the thing rather than rejects it
        return []
    examples = re.search(r"\((?:e\.\s?g\.?|eg|such as|for example|like)[,:]?\s*([^()]+)\)", rest, re.I)
    if examples and examples.end() >= len(rest.rstrip(" .")):
        # "Use a Lightweight JavaScript Framework (e.g., HTMX, HTMZ)": a kind of thing, and its examples
        return split_slashes(names_in(examples.group(1), code))
    namely = KINDS_NAMED.search(rest)
    if namely:  # "Using AWS resources, namely Certificate Manager; CloudWatch": the products it goes on to name
        return split_slashes(names_in(namely.group("tail"), code))
    if ACTION_OPTION.match(rest):
        # "Replace all Helm charts with raw manifests": only what would come in stands for the option
        instead = re.search(r"\s(?:with|by|for)\s+", rest) if re.match(r"\W*(?:replac|swap)", rest, re.I) else None
        incoming = LEADING_VERB.sub("", rest[instead.end():]) if instead else ""
        return split_slashes(name_heads(names_in(incoming, code), incoming)) if instead else []
    stripped = LEADING_VERB.sub("", rest)
    found = split_slashes(names_in(stripped, code))
    # "Manual kubectl/helm", "Per-component namespaces", "Published and preview forms…": a label's sentence-case first
    # word is no name unless it is marked as one (a capital inside, a digit, all capitals, a code span)
    following = rest[found[0].end:].lstrip() if found else ""
    if stripped == rest and found and found[0].start == 0 and re.match(r"[a-z]", following) \
            and "/" not in rest[found[0].start:found[0].end] \
            and (not re.match(r"(?:and|or)\s", following) or re.match(r"(?:and|or)\s+[a-z]", following)
                 and is_everyday_word(found[0].text)) \
            and re.fullmatch(r"[A-Z][a-z]+(?:-[a-z]+)*", found[0].text) and found[0].text not in code \
            and not (_gazetteer().get(found[0].text) is not None and not is_everyday_word(found[0].text)
                     and re.match(r"(?:as|for)\s", following)):
        found = found[1:]  # (a technology known by name, in a role, stays one: "Redis as shared state layer")
    # a gerund has a vowel before its -ing ("Reducing"); "Spring" and "String" are names
    if found and found[0].start == 0 and re.fullmatch(r"[A-Z][a-z]*[aeiouy][a-z]*ing", found[0].text.split()[0]) \
            and is_everyday_word(found[0].text.split()[0]):
        found = found[1:]  # "Reducing Transactions": a title-case heading that names an action
    # "Use Direct IP Address": an everyday word cut off a Title Case phrase that goes on is no name
    found = [n for n in found if " " in n.text or n.text in code or not is_everyday_word(n.text)
             or not re.match(r"\s+[A-Z]", stripped[n.start + len(n.text):])]
    for m2 in CHOOSE_VERB.finditer(rest):  # "a custom Lambda using Go" (not "… for Select Parts of the App")
        if m2.start() > 0 and rest[m2.start()].islower():
            found += names_in(rest[m2.end():], code)
    listed = BRACKETED_LIST.search(rest) if not found else None
    if listed and len(rest[:listed.start()].split()) <= 4:
        # "Paid-for solutions (Atlan, Qlik, Google Data Catalog)": a kind of thing, and the products listed (not
        # "Keep X and drop the custom stack (PIP, PRP, PAP)": what an action acts on)
        found = split_slashes(names_in(listed.group(1), code))
        found = found if len(found) >= 2 else []
    if not found:  # "Feature flags with Waffle": a kind of thing, and the product that makes it
        by = re.search(r"\s(?:with|via|through)\s+(?:the\s+)?", rest)
        if by and not re.fullmatch(r"[A-Z]?[a-z -]+", rest[:by.start()]):
            by = None  # "Use of an external Infinispan with Keycloak": the option is what comes before
        tail = rest[by.end():].rstrip(" .") if by else ""
        found = [n for n in names_in(tail, code) if n.start == 0 and n.end == len(tail)]
    return found


# an option of two names, either of which would do: "zerolog or zap", "a library such as zerolog or zap"
EITHER_NAME = re.compile(r"^(?:[^:;]{0,60}?\bsuch\s+as\s+)?(?P<a>[A-Za-z][\w.+-]*[A-Za-z0-9])\s+or\s+"
                         r"(?P<b>[A-Za-z][\w.+-]*[A-Za-z0-9])\W*$")


# an option that is one of the choices used by itself: "Docker Compose Only", "Vault alone"
# ("React Only (No Next.js)": with a note on what it goes without)
ONLY_TAIL = re.compile(r"\s+(?:only|alone|on its own|by itself)(?:\s*\([^()]*\))?\s*$", re.I)


def only_variant(label: str) -> bool:
    """Whether an option's label is a name used by itself ("### 3. Docker Compose Only")."""
    return ONLY_TAIL.search(re.split(r"\s[-–—]\s|:\s", label, maxsplit=1)[0].strip()) is not None


def _lone_name(word: str, code: frozenset[str]) -> bool:
    """Whether an option's one-word label is a name in any case: the gazetteer or the document knows it ("etcd",
    "bash"), or it is no everyday word ("k3d"), never "polling" or "webhooks"."""
    return _gazetteer().get(word) is not None or word in code or word.lower() in code \
        or lower_case_name(word) and not (word.endswith("s") and word_like(word[:-1]))  # "webhooks"


def _everyday_label(label: str, code: frozenset[str]) -> bool:
    """A label that is a kind of thing in the plural, made only of everyday words none of which a list of technologies
    knows: 'Local Binaries', 'Environment Variables' (not 'Spring Authorization Server', 'Sealed Secrets', 'Pants')."""
    words = label.split()
    return len(words) >= 2 and re.fullmatch(r"[A-Za-z][a-z]*[^su]s", words[-1]) is not None \
        and all(is_everyday_word(w) and _gazetteer().get(w) is None for w in words) \
        and _gazetteer().get(label) is None and label not in code and label.lower() not in code


# a list of names in brackets that ends an option's label: "Paid-for solutions (Atlan, Qlik, Google Data Catalog)"
BRACKETED_LIST = re.compile(r"\(([^()]*,[^()]*)\)\W*$")


def option_number(label: str) -> str:
    """'Option 2 - X' -> '2'; '3. Implement X' -> '3'; '' when the label has no number."""
    m = OPTION_LABEL.match(label)
    if not m:
        return ""
    return (m.group("n") or m.group("n2") or "").upper()


def chosen_option_reference(text: str) -> tuple[str, str]:
    """(number, label text) of the option a decision names: 'Chosen option: "Option 2"', 'Option 4, we will…'."""
    m = CHOSEN_OPTION.search(text)
    if m:
        label = re.split(r"[,;]|\bbecause\b", m.group("text"))[0].strip().rstrip(",.")
        ref = OPTION_REFERENCE.match(label) or re.fullmatch(r"\(?(\d+)\)?", label)
        if ref:
            return ref.group(1).upper() if ref.re is not OPTION_REFERENCE else ref.group("n").upper(), ""
        return "", re.split(r"[\"”,]|\bbecause\b", label)[0].strip()
    # "(#2) Use htmx and Alpine.js": the decision opens with the number of the option it takes
    m = NUMBERED_LEAD.match(text)
    if m:
        return m.group("n").upper(), ""
    # "Option 3a, feature flags with …", "We decided on Option 2 - leave things as-is", "Chosen: Option 1, stay on X",
    # "Proposed: **Option 1** — drop the cache"
    m = re.match(r"^\s*(?:we\s+(?:(?:will|have)\s+)?(?:go|went|are going|decided on|chose|have chosen|picked|"
                 r"selected|opted for)\s+(?:with\s+)?|" + OUTCOME_LABEL + r")?(?:option|alternative|approach)\s+"
                 r"\(?(?P<n>\d+[a-z]?|[A-Z])\b", text, re.I)
    if m:
        return m.group("n").upper(), ""
    m = re.search(r"\b(?:option|alternative|approach)\s+\(?(?P<n>\d+[a-z]?|[A-Z])\)?\s+(?:was|is|has been)\s+(?:chosen|"
                  r"selected|accepted|agreed|preferred)", text, re.I)
    if m:
        return m.group("n").upper(), ""
    m = ORDINAL_CHOICE.search(text)
    if m:  # "We decided to go for the second option": the options counted in the order they were listed
        return str(ORDINALS.index(m.group("nth").lower()) + 1), ""
    return "", ""


# the label of a record's outcome before the option it names: "Chosen: Option 1", "Proposed: **Option 1** — …"
OUTCOME_LABEL = r"\W*(?:chosen|selected|decision|decided|proposed|proposal|recommended|recommendation|preferred|outcome)" \
                r"\s*:\s*(?:\*\*|__|\*|_)?"
# a decision that opens with the number of its option in brackets: "(#2) Use X", "(#1) Use `x-fork`"
NUMBERED_LEAD = re.compile(r"^\W{0,3}\(\s*#\s*(?P<n>\d{1,2}[a-z]?)\s*\)", re.I)
# the name a decision gives the option it picks by number: "We chose option 1, Spring Boot, since …"
NAMED_AFTER_NUMBER = r"\b(?:option|alternative|approach)\s+\(?{}\)?\s*(?:,|:|\(|[-–—]\s)\s*"


# a provider's products named after a word for them: "AWS resources, namely …", "managed services such as …"
KINDS_NAMED = re.compile(r"^[^,;:]{0,60}?\b(?:resources|services|tools|products|offerings|components)\b,?\s+(?:namely|"
                         r"such as|i\.\s?e\.,?|e\.\s?g\.,?|including)\s+(?P<tail>\S.*)", re.I)
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"]
# a choice made by the option's place in the list: "We decided to go for the second option", "we chose the first
# approach"; never "decided against the first option"
ORDINAL_CHOICE = re.compile(r"\b(?:go|going|went|opt|opted|settle|settled|decided|chose|choose|chosen|picked|selected|"
                            r"prefer|preferred|adopt|adopted|recommend|recommended)\b(?:(?!\bagainst\b|\bnot\b|n't\b)"
                            rf"[^.;]){{0,30}}?\bthe\s+(?P<nth>{'|'.join(ORDINALS)})\s+(?:option|approach|alternative|"
                            r"method|solution|proposal|way|one)\b", re.I)
