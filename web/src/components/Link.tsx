import type { ComponentChildren } from 'preact';
import { isPlainClick, navigate } from '../router';

interface Props {
  href: string;
  class?: string;
  'aria-current'?: 'page' | undefined;
  'aria-label'?: string;
  children: ComponentChildren;
}

/** An ordinary link that the router follows without reloading; new-tab clicks still work. */
export function Link({ href, children, ...rest }: Props) {
  return (
    <a
      href={href}
      onClick={(event) => {
        if (!isPlainClick(event)) return;
        event.preventDefault();
        navigate(href);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}
