-- textclass.cli.feed - the items of a news feed (RSS 2.0, RSS 1.0, Atom),
-- each an article: its title, then its content or summary.
--
-- A small reader of XML's structure, enough for feeds: elements,
-- attributes, comments, CDATA sections, processing instructions and a
-- DOCTYPE without an internal subset. An item's texts are markup (HTML
-- escaped as XML, in CDATA, or XHTML elements), so each is given to
-- tc.html_text after its XML escapes are undone. A feed that is not
-- well-formed where it matters (a tag left open, an end tag that closes
-- another element) is refused whole, naming the line, rather than read
-- in part.

local tc = require "textclass"
local util = require "textclass.cli.util"

local M = {}

local find, sub, byte, gsub = string.find, string.sub, string.byte, string.gsub

-- Which child of an item holds what, by its name as feeds write it (RSS
-- 2.0 and 1.0, Atom, the content and Dublin Core modules, Atom elements in
-- an RSS feed); Atom's <link> is read from its href.
local ROLE = {
  title = "title", ["atom:title"] = "title",
  description = "summary", summary = "summary", ["atom:summary"] = "summary",
  ["content:encoded"] = "content", content = "content", ["atom:content"] = "content",
  link = "link", ["atom:link"] = "link",
  guid = "id", id = "id", ["atom:id"] = "id",
  pubDate = "date", published = "date", ["atom:published"] = "date", ["dc:date"] = "date",
  updated = "date", ["atom:updated"] = "date",
}
local ITEM = { item = true, entry = true, ["atom:entry"] = true }

-- An Atom text construct's type attribute: "text" (Atom's default) is
-- plain text, "html" escaped markup, "xhtml" markup; RSS has none, and its
-- texts are read as HTML, as feeds write them.
local PLAIN_TYPE = { text = true, ["text/plain"] = true }

--- Does a file beginning with head hold a feed? After a byte order mark,
-- white space, the XML declaration, comments and a DOCTYPE, its first
-- element is <rss>, <feed> (Atom) or <rdf:RDF> (RSS 1.0).
function M.looks_like_feed(head)
  local i = find(head, "^\239\187\191") and 4 or 1
  while true do
    i = find(head, "[^ \t\r\n]", i)
    if not i or byte(head, i) ~= 60 then return false end -- "<"
    if find(head, "^<[?!]", i) then
      local comment = find(head, "^<!%-%-", i)
      local close = find(head, comment and "-->" or ">", i + 2, true)
      if not close then return false end
      i = close + (comment and 3 or 1)
    else
      return find(head, "^<rss[%s>]", i) ~= nil or find(head, "^<feed[%s>]", i) ~= nil or
             find(head, "^<rdf:RDF[%s>]", i) ~= nil
    end
  end
end

local XML_ESCAPES = { lt = "<", gt = ">", amp = "&", quot = '"', apos = "'" }

-- XML's escapes undone: the five named ones and numeric references to a
-- character XML allows; anything else is left as written. With
-- `keep_refs`, a reference to a character beyond ASCII stays as written
-- (&#171;) for tc.html_text, which reads it after converting the bytes
-- around it from the feed's charset: written here as UTF-8 it would be
-- converted with them (a KOI8-R feed's &#171; read as "б╚" instead of
-- "«"). HTML reads such a reference as XML does, but for
-- 128-159, which it reads as Windows-1252's characters (&#150; is a dash,
-- not a control character).
local function unescape(s, keep_refs)
  return (gsub(s, "&(#?)([xX]?)(%w+);", function(hash, x, name)
    if hash == "" then return x == "" and XML_ESCAPES[name] or nil end
    local cp = tonumber(name, x ~= "" and 16 or 10)
    if not cp or cp == 0 or cp > 0x10FFFF or (cp >= 0xD800 and cp <= 0xDFFF) then return nil end
    if keep_refs and cp >= 0x80 then return nil end
    return utf8.char(cp)
  end))
end

-- Text as HTML that stands for itself: "&" and "<" escaped.
local function escape_all(s) return (gsub(gsub(s, "&", "&amp;"), "<", "&lt;")) end

-- Plain text escaped as XML, as HTML that tc.html_text reads back as the
-- same text: XML's five named escapes are HTML's too and stay, a numeric
-- reference beyond ASCII stays (as in unescape) and one to ASCII becomes
-- its character ("&" and "<" escaped); any other "&" stands for itself.
local function plain_html(s)
  return (gsub(s, "&([#%w]*)(;?)", function(name, semi)
    if semi == ";" then
      if XML_ESCAPES[name] then return "&" .. name .. ";" end
      local x, digits = name:match("^#([xX]?)(%w+)$")
      local cp = digits and tonumber(digits, x ~= "" and 16 or 10)
      if cp and cp > 0 and cp <= 0x10FFFF and not (cp >= 0xD800 and cp <= 0xDFFF) then
        if cp >= 0x80 then return "&" .. name .. ";" end
        return cp == 38 and "&amp;" or cp == 60 and "&lt;" or utf8.char(cp)
      end
    end
    return "&amp;" .. name .. semi
  end))
end

-- An element's raw content as `mode` wants it: nil, the value it stands
-- for (M.plain); "html", the markup it stands for, for tc.html_text (CDATA
-- sections as they are, the text between them unescaped, nested elements
-- such as Atom's XHTML content kept as markup); "plain", HTML that reads
-- as its plain text (Atom's type="text").
local function content_markup(raw, mode)
  local function text(between)
    if find(between, "<", 1, true) then return mode == "plain" and escape_all(between) or between end
    if mode == "plain" then return plain_html(between) end
    return unescape(between, mode == "html")
  end
  if not find(raw, "<", 1, true) then return text(raw) end
  local out, pos = {}, 1
  while true do
    local open = find(raw, "<![CDATA[", pos, true)
    out[#out + 1] = text(sub(raw, pos, (open or #raw + 1) - 1))
    if not open then break end
    local close = find(raw, "]]>", open + 9, true) or #raw + 1 -- (an attribute's value may lack it)
    local cdata = sub(raw, open + 9, close - 1)
    out[#out + 1] = mode == "plain" and escape_all(cdata) or cdata
    pos = close + 3
  end
  return table.concat(out)
end

-- An attribute's value in a start tag's text, as written (M.plain undoes
-- its escapes); nil when absent.
local function attribute(tag, name)
  local _, _, v = find(tag, "%s" .. name .. "%s*=%s*\"([^\"]*)\"")
  if not v then _, _, v = find(tag, "%s" .. name .. "%s*=%s*'([^']*)'") end
  return v
end

-- Where the element whose content starts at `from` ends: the first
-- </name> after it outside CDATA sections. Returns the content's last
-- byte and the position after the end tag, or nil. Nesting inside is not
-- followed: the content is markup for tc.html_text, which forgives what
-- feeds get wrong there (an unclosed <br> in a description). Each "<" is
-- looked at once, so the time is linear in the content's length.
local function content_end(xml, from, name)
  local end_tag = "^</" .. name .. "%s*>" -- names in ROLE hold no pattern characters
  local p = from
  while true do
    local lt = find(xml, "<", p, true)
    if not lt then return nil end
    local _, e_end = find(xml, end_tag, lt)
    if e_end then return lt - 1, e_end + 1 end
    if find(xml, "^<!%[CDATA%[", lt) then
      local close = find(xml, "]]>", lt + 9, true)
      if not close then return nil end
      p = close + 3
    else
      p = lt + 1
    end
  end
end

-- The position after the markup that is not a tag and starts at lt (a
-- comment, CDATA section, processing instruction or DOCTYPE), or nil and
-- why when it is not closed or not read.
local function skip_other(xml, lt)
  local close, width
  if find(xml, "^<!%-%-", lt) then close, width = find(xml, "-->", lt + 4, true), 3
  elseif find(xml, "^<!%[CDATA%[", lt) then close, width = find(xml, "]]>", lt + 9, true), 3
  elseif find(xml, "^<%?", lt) then close, width = find(xml, "?>", lt + 2, true), 2
  else
    if find(xml, "^<!DOCTYPE[^>]*%[", lt) then return nil, "a DOCTYPE with an internal subset is not read" end
    close, width = find(xml, ">", lt + 2, true), 1
  end
  if not close then return nil, "markup left open at the end" end
  return close + width
end

-- The end of the start or end tag at lt: its ">" outside quoted attribute
-- values; nil when the feed ends first.
local function tag_end(xml, from)
  local i = from
  while true do
    local c = find(xml, "[>\"']", i)
    if not c then return nil end
    if byte(xml, c) == 62 then return c end
    local q = find(xml, sub(xml, c, c), c + 1, true)
    if not q then return nil end
    i = q + 1
  end
end

--- The items of a feed, in order: each { title, summary, content, link,
-- id, date } (strings of markup, or nil) and plain = { [field] = true }
-- for the fields that are plain text (Atom's type="text"). Returns nil and
-- a message naming the line for a feed that is not well-formed outside
-- the items' texts, or has no items.
function M.items(xml)
  local items, stack = {}, {}  -- stack: the names of the open elements
  local item                  -- the item being read, or nil
  local atom                  -- the root element is Atom's <feed>
  local pos, line, counted = 1, 1, 1
  local function line_at(i)
    local _, n = gsub(sub(xml, counted, i - 1), "\n", "")
    line, counted = line + n, i
    return line
  end
  local function fail(at, fmt, ...)
    return nil, string.format("line %d: " .. fmt, line_at(at), ...)
  end
  while true do
    local lt = find(xml, "<", pos, true)
    if not lt then break end
    local _, name_end, slash, name = find(xml, "^<(/?)([%a_][%w_:%.%-]*)", lt)
    if not name then
      if not find(xml, "^<[?!]", lt) then return fail(lt, "'<' that starts no tag") end
      local after, why = skip_other(xml, lt)
      if not after then return fail(lt, "%s", why) end
      pos = after
    else
      local close = tag_end(xml, name_end + 1)
      if not close then return fail(lt, "<%s%s> left open at the end", slash, name) end
      pos = close + 1
      local empty = byte(xml, close - 1) == 47 -- "/>"
      local role = item and #stack == item.depth + 1 and slash == "" and ROLE[name]
      if slash == "/" then
        local top = stack[#stack]
        if top ~= name then return fail(lt, "</%s> closes <%s>", name, top or "nothing") end
        stack[#stack] = nil
        if item and item.depth == #stack then
          items[#items + 1] = item
          item = nil
        end
      elseif role then
        local tag = sub(xml, lt, close)
        if role == "link" then
          local rel, href = M.plain(attribute(tag, "rel")), attribute(tag, "href")
          if href and (rel == nil or rel == "alternate") then item.link = item.link or href end
        end
        if not empty then
          local last, after = content_end(xml, close + 1, name)
          if not last then return fail(lt, "<%s> is not closed", name) end
          if (role ~= "link" or not find(tag, "%shref%s*=")) and not item[role] then
            item[role] = sub(xml, close + 1, last)
            local kind = M.plain(attribute(tag, "type")) or (atom and "text")
            if kind and PLAIN_TYPE[kind] then item.plain[role] = true end
          end
          pos = after
        end
      elseif not empty then
        if #stack == 0 then atom = name == "feed" or name == "atom:feed" end
        if not item and ITEM[name] then item = { depth = #stack, plain = {} } end
        stack[#stack + 1] = name
      end
    end
  end
  if #stack > 0 then return nil, string.format("the end: <%s> left open", stack[#stack]) end
  if #items == 0 then return nil, "no <item> or <entry> in the feed" end
  return items
end

--- The text of one of an item's fields (a string of markup, or nil): its
-- escapes undone, then read as HTML (tc.html_text), or as plain text when
-- `plain` (its "<" and "&" then stand for themselves); declaration is the
-- feed's XML declaration, put before it so tc.html_text reads bytes in
-- the encoding the feed declares. nil and a message when the text is over
-- a core limit.
function M.text(raw, declaration, plain)
  if not raw then return "" end
  return tc.html_text(declaration .. content_markup(raw, plain and "plain" or "html"))
end

--- A field that is a value, not prose (a link, an id, a date): its text
-- with CDATA unwrapped, escapes undone and white space trimmed; nil when
-- absent or blank. (util.trim: "^%s*(.-)%s*$" took minutes on a guid of
-- 100 KB with white space inside.)
function M.plain(raw)
  if not raw then return nil end
  local v = util.trim(content_markup(raw))
  return v ~= "" and v or nil
end

--- The feed's XML declaration (<?xml ... ?>), or "".
function M.declaration(xml)
  local _, _, decl = find(xml, "^\239?\187?\191?%s*(<%?xml.-%?>)")
  return decl or ""
end

return M
