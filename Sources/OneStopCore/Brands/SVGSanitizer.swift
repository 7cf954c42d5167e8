import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A brand logo in SVG is drawn on public pages, so it may not run a script or fetch anything
/// (issue 22). The sanitiser parses the file and writes it again from what it knows to be
/// harmless: drawing elements and presentation attributes only; no `<script>`, no
/// `<foreignObject>`, no event handler (`on…`), no link but to a fragment of the same file
/// (`href="#id"`), no `url(…)` but `url(#id)`, no `@import`, no DOCTYPE or entity (an entity can
/// fetch a file or expand without end). Anything else is dropped; a file that is not well-formed
/// SVG is refused.
public enum SVGSanitizer {
    public enum Failure: String, Error, Sendable {
        case notSVG = "brand.logoNotSVG"
        case doctype = "brand.logoDoctype"
        case tooLarge = "brand.logoTooLarge"
    }

    /// At most this many bytes of SVG.
    public static let maxBytes = 512 * 1024

    static let elements: Set<String> = [
        "svg", "g", "defs", "title", "desc", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "filter",
        "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix", "feFlood", "feComposite", "feMerge", "feMergeNode", "marker",
    ]

    static let attributes: Set<String> = [
        "id", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin",
        "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity", "transform", "style", "font-family", "font-size",
        "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing", "offset", "stop-color", "stop-opacity",
        "gradientUnits", "gradientTransform", "fx", "fy", "spreadMethod", "patternUnits", "patternTransform", "clip-path",
        "clip-rule", "mask", "filter", "stdDeviation", "dx", "dy", "in", "in2", "result", "mode", "values", "type", "operator",
        "flood-color", "flood-opacity", "preserveAspectRatio", "xmlns", "xmlns:xlink", "version", "href", "xlink:href",
        "markerWidth", "markerHeight", "refX", "refY", "orient", "marker-start", "marker-mid", "marker-end", "visibility",
        "display", "role", "aria-label", "aria-hidden", "lang", "xml:space", "startOffset", "textLength", "lengthAdjust",
    ]

    /// The sanitised file, or why it is refused.
    public static func sanitize(_ data: Data) -> Result<String, Failure> {
        guard data.count <= maxBytes else { return .failure(.tooLarge) }
        guard let text = String(data: data, encoding: .utf8) else { return .failure(.notSVG) }
        let upper = text.uppercased()
        if upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY") { return .failure(.doctype) }
        let writer = Writer()
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = writer
        guard parser.parse(), writer.root == "svg", writer.depth == 0 else { return .failure(.notSVG) }
        return .success(writer.out)
    }

    /// Whether a reference stays inside the file: `#id`, or `url(#id)` in a value.
    static func safe(value: String, attribute: String) -> Bool {
        let v = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if attribute == "href" || attribute == "xlink:href" { return v.hasPrefix("#") }
        if v.contains("javascript:") || v.contains("expression(") || v.contains("@import") { return false }
        var rest = Substring(v)
        while let r = rest.range(of: "url(") {
            let after = rest[r.upperBound...].drop { $0 == " " || $0 == "'" || $0 == "\"" }
            if !after.hasPrefix("#") { return false }
            rest = after
        }
        return true
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    final class Writer: NSObject, XMLParserDelegate {
        var out = ""
        var root: String?
        var depth = 0
        /// Depth at which a dropped element began: its whole subtree is dropped.
        var skipping: Int?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            depth += 1
            if root == nil { root = name }
            guard skipping == nil else { return }
            guard SVGSanitizer.elements.contains(name) else {
                skipping = depth
                return
            }
            out += "<" + name
            for key in attributes.keys.sorted() {
                let value = attributes[key] ?? ""
                guard SVGSanitizer.attributes.contains(key), !key.lowercased().hasPrefix("on"),
                    SVGSanitizer.safe(value: value, attribute: key)
                else { continue }
                out += " \(key)=\"\(SVGSanitizer.escape(value))\""
            }
            out += ">"
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { depth -= 1 }
            if let s = skipping {
                if s == depth { skipping = nil }
                return
            }
            out += "</\(name)>"
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if skipping == nil, depth > 0 { out += SVGSanitizer.escape(string) }
        }
    }
}
