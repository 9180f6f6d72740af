// A QR code the main process rendered as SVG, shown as an <img> (no markup injection).
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function QrImage({ svg, testId, alt, ...data }: { svg: string; testId: string; alt: string } & Record<`data-${string}`, string>) {
  return (
    <div className="qr-frame">
      <img className="qr" src={svgDataUrl(svg)} alt={alt} data-testid={testId} {...data} />
    </div>
  );
}
