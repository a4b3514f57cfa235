import Foundation

/// Renders a command's recorded output as HTML in its colours, with no script: each line's visible text (as
/// `ANSIText` keeps it, carriage-return overwrites resolved) in `<span>`s whose classes name the style its select
/// graphic rendition sequences set (`f1` red text, `b` bold, `g4` blue background…; `css` styles them).
///
/// The output is read one line at a time, across its chunks, so a command's output is never copied whole; a line
/// longer than `maximumLineBytes` is cut, and the cut is said.
struct TerminalHTML {
    /// Bytes of one line read before the rest of the line is left out.
    static let maximumLineBytes = 16 * 1024

    /// The style of the text, as the select graphic rendition sequences so far set it.
    struct Style: Equatable {
        /// Palette index (0–255) of the text colour, or `nil` for the default.
        var foreground: Int?
        /// Palette index of the background, or `nil` for the default.
        var background: Int?
        var bold = false
        var faint = false
        var italic = false
        var underline = false
        var inverse = false
        var strikethrough = false

        /// Applies one sequence's parameter bytes (`1;31`, `38;5;208`, `38:2::255:0:0`; empty means reset).
        mutating func apply(_ parameters: [UInt8]) {
            var numbers: [Int?] = [nil]
            for byte in parameters {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let digit = Int(byte - UInt8(ascii: "0"))
                    numbers[numbers.count - 1] = min(9999, (numbers[numbers.count - 1] ?? 0) * 10 + digit)
                case UInt8(ascii: ";"), UInt8(ascii: ":"): numbers.append(nil)
                default: return  // private sequences (`ESC [ ? … m`) are not styles
                }
            }
            var index = 0
            while index < numbers.count {
                let code = numbers[index] ?? 0
                index += 1
                switch code {
                case 0: self = Style()
                case 1: bold = true
                case 2: faint = true
                case 3: italic = true
                case 4: underline = true
                case 7: inverse = true
                case 9: strikethrough = true
                case 22: (bold, faint) = (false, false)
                case 23: italic = false
                case 24: underline = false
                case 27: inverse = false
                case 29: strikethrough = false
                case 30...37: foreground = code - 30
                case 39: foreground = nil
                case 40...47: background = code - 40
                case 49: background = nil
                case 90...97: foreground = code - 90 + 8
                case 100...107: background = code - 100 + 8
                case 38, 48:
                    let colour = Self.extendedColour(numbers, at: &index)
                    if code == 38 { foreground = colour } else { background = colour }
                default: break
                }
            }
        }

        /// Reads `5;N` (palette) or `2;R;G;B` (true colour, shown as the nearest palette colour) after 38 or 48.
        private static func extendedColour(_ numbers: [Int?], at index: inout Int) -> Int? {
            guard index < numbers.count else { return nil }
            let kind = numbers[index] ?? 0
            index += 1
            switch kind {
            case 5:
                guard index < numbers.count else { return nil }
                defer { index += 1 }
                return numbers[index].map { min(255, $0) }
            case 2:
                // `38:2::R:G:B` names a colour space first; `38;2;R;G;B` does not.
                if numbers.count - index >= 4, numbers[index] == nil { index += 1 }
                guard numbers.count - index >= 3 else {
                    index = numbers.count
                    return nil
                }
                defer { index += 3 }
                return nearestPaletteColour(
                    red: numbers[index] ?? 0, green: numbers[index + 1] ?? 0, blue: numbers[index + 2] ?? 0)
            default:
                return nil
            }
        }

        /// The CSS classes of the style, space-separated; empty for the default style.
        var classes: String {
            var names: [String] = []
            var (text, back) = (foreground.map { "f\($0)" }, background.map { "g\($0)" })
            if inverse { (text, back) = (background.map { "f\($0)" } ?? "fi", foreground.map { "g\($0)" } ?? "gi") }
            if let text { names.append(text) }
            if let back { names.append(back) }
            if bold { names.append("b") }
            if faint { names.append("d") }
            if italic { names.append("i") }
            if underline { names.append("u") }
            if strikethrough { names.append("s") }
            return names.joined(separator: " ")
        }
    }

    /// The xterm palette: the 16 colours of xterm.js's default theme (so the static output and the replay agree),
    /// the 6×6×6 cube and the 24 greys.
    static let palette: [(Int, Int, Int)] = {
        let base: [(Int, Int, Int)] = [
            (0x2e, 0x34, 0x36), (0xcc, 0x00, 0x00), (0x4e, 0x9a, 0x06), (0xc4, 0xa0, 0x00),
            (0x34, 0x65, 0xa4), (0x75, 0x50, 0x7b), (0x06, 0x98, 0x9a), (0xd3, 0xd7, 0xcf),
            (0x55, 0x57, 0x53), (0xef, 0x29, 0x29), (0x8a, 0xe2, 0x34), (0xfc, 0xe9, 0x4f),
            (0x72, 0x9f, 0xcf), (0xad, 0x7f, 0xa8), (0x34, 0xe2, 0xe2), (0xee, 0xee, 0xec),
        ]
        let levels = [0, 0x5f, 0x87, 0xaf, 0xd7, 0xff]
        var colours = base
        for red in levels { for green in levels { for blue in levels { colours.append((red, green, blue)) } } }
        for grey in 0..<24 { colours.append((8 + 10 * grey, 8 + 10 * grey, 8 + 10 * grey)) }
        return colours
    }()

    /// The palette index (16–255) nearest to a true colour.
    static func nearestPaletteColour(red: Int, green: Int, blue: Int) -> Int {
        var best = 16
        var bestDistance = Int.max
        for index in 16..<256 {
            let (r, g, b) = palette[index]
            let distance = (r - red) * (r - red) + (g - green) * (g - green) + (b - blue) * (b - blue)
            if distance < bestDistance { (best, bestDistance) = (index, distance) }
        }
        return best
    }

    /// The style sheet of the classes `Style.classes` names.
    static let css: String = {
        func hex(_ colour: (Int, Int, Int)) -> String {
            let digits = Array("0123456789abcdef")
            return "#"
                + [colour.0, colour.1, colour.2].map { "\(digits[$0 / 16])\(digits[$0 % 16])" }.joined()
        }
        var rules = [
            ".b{font-weight:bold}", ".d{opacity:.7}", ".i{font-style:italic}", ".u{text-decoration:underline}",
            ".s{text-decoration:line-through}", ".fi{color:var(--term-bg)}", ".gi{background:var(--term-fg)}",
        ]
        for (index, colour) in palette.enumerated() {
            rules.append(".f\(index){color:\(hex(colour))}.g\(index){background:\(hex(colour))}")
        }
        return rules.joined(separator: "\n")
    }()

    /// The style at the start of the next line.
    private(set) var style = Style()
    /// Whether any line held bytes that are not UTF-8 (shown as U+FFFD).
    private(set) var sawInvalidUTF8 = false

    /// Appends one line of output (without its line feed) as HTML, and updates the style for the next line.
    /// `cutBytes` is how many bytes of the line were left out after these.
    mutating func appendLine(_ line: ArraySlice<UInt8>, cutBytes: Int = 0, to out: inout [UInt8]) {
        var line = line
        // The line feed was the line's end: a CR before it is the CR LF pair, not an overwrite.
        if line.last == 0x0D { line = line.dropLast() }
        let scanned = line.withUnsafeBytes { ANSIText.visibleBytesWithStyles($0, carriageReturn: .overwrite) }
        var nextStyle = 0
        var runStart = 0
        var runStyle = style
        let visible = scanned.bytes
        func flushRun(to end: Int) {
            guard end > runStart else { return }
            let classes = runStyle.classes
            if !classes.isEmpty {
                out.append(contentsOf: "<span class=\"".utf8)
                out.append(contentsOf: classes.utf8)
                out.append(contentsOf: "\">".utf8)
            }
            let text = String(decoding: visible[runStart..<end], as: UTF8.self)
            if !sawInvalidUTF8, String(validating: visible[runStart..<end], as: UTF8.self) == nil {
                sawInvalidUTF8 = true
            }
            HTMLText.append(text, to: &out)
            if !classes.isEmpty { out.append(contentsOf: "</span>".utf8) }
        }
        var pending = runStyle
        var pendingChanged = false
        for index in visible.indices {
            let offset = scanned.offsets[index]
            while nextStyle < scanned.styles.count, scanned.styles[nextStyle].offset < offset {
                pending.apply(scanned.styles[nextStyle].parameters)
                nextStyle += 1
                pendingChanged = true
            }
            // A run ends where the style changes, but never inside a UTF-8 sequence.
            if pendingChanged, visible[index] & 0xC0 != 0x80 {
                pendingChanged = false
                if pending != runStyle {
                    flushRun(to: index)
                    runStart = index
                    runStyle = pending
                }
            }
        }
        flushRun(to: visible.count)
        for sequence in scanned.styles[nextStyle...] { pending.apply(sequence.parameters) }
        runStyle = pending
        style = runStyle
        if cutBytes > 0 {
            out.append(contentsOf: "<span class=\"cut\">[… \(cutBytes) more bytes of this line left out …]</span>".utf8)
        }
    }

    /// Applies the styles of a line that is not shown, so the lines after it start in the right colours.
    mutating func skipLine(_ line: ArraySlice<UInt8>) {
        let scanned = line.withUnsafeBytes { ANSIText.visibleBytesWithStyles($0, carriageReturn: .lineBreak) }
        for sequence in scanned.styles { style.apply(sequence.parameters) }
    }
}
