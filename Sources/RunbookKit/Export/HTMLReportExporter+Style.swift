import Foundation

extension HTMLReportExporter {
    /// The report's style sheet: readable from a phone (the page never needs to scroll sideways; tables become
    /// labelled blocks below 700 px, wide output and the terminal scroll in their own boxes), and the output's
    /// colour classes (`TerminalHTML.css`). Inlined, and allowed by its hash in the page's CSP.
    static let stylesheet: String = """
        :root{--term-bg:#1e1e1e;--term-fg:#e8e8e8;color-scheme:light}
        *{box-sizing:border-box}
        body{margin:0 auto;max-width:72rem;padding:1rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;\
        color:#1b1b1b;background:#fff;overflow-wrap:break-word}
        h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
        h2{font-size:1.3rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
        h3{font-size:1.1rem;margin:1.5rem 0 .5rem}
        .banner{background:#fff4d6;border-left:4px solid #e0a800;padding:.5rem .75rem}
        .banner.drill{background:#e6f0ff;border-color:#3465a4}
        .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.25rem 1.5rem;margin:0}
        .facts div{display:flex;gap:.5rem}.facts dt{font-weight:600;white-space:nowrap}.facts dd{margin:0}
        nav{margin:1rem 0;font-size:.95rem}
        table{border-collapse:collapse;width:100%;font-size:.95rem}
        th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#f4f4f4}
        .timeline td:nth-child(-n+3){white-space:nowrap;font-variant-numeric:tabular-nums}
        code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9rem}
        pre{margin:.5rem 0;padding:.6rem .75rem;overflow-x:auto;white-space:pre}
        pre.command-text{background:#f4f4f4;border:1px solid #ddd}
        pre.output,pre.screen-text{background:var(--term-bg);color:var(--term-fg);line-height:1.35}
        .cut{color:#9a9a9a;font-style:italic}
        .failed{color:#b00000}
        .output-heading{margin:.75rem 0 0}
        .text{white-space:pre-wrap}
        .notes li,.actions li{margin:.4rem 0}.when{font-variant-numeric:tabular-nums}
        .author{color:#777;font-style:italic}
        .replay-note{color:#555;font-style:italic}
        .terminal{overflow-x:auto;max-width:100%}
        button.play{font:inherit;padding:.3rem .8rem}
        footer{margin-top:2rem;border-top:1px solid #ddd;font-size:.9rem}
        @media (max-width:700px){
        body{padding:.75rem;font-size:15px}
        table.rows thead{display:none}
        table.rows,table.rows tbody,table.rows tr,table.rows td{display:block;width:100%}
        table.rows tr{border:1px solid #ddd;margin:.5rem 0;padding:.25rem .5rem}
        table.rows td{border:0;padding:.1rem 0}
        table.rows td::before{content:attr(data-label) ": ";font-weight:600}
        .timeline td:nth-child(3){white-space:normal}
        .timeline td:nth-child(-n+2){display:inline-block;width:auto;margin-right:1rem}
        }

        """ + TerminalHTML.css
}
