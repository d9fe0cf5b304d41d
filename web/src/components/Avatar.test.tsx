import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Avatar } from "./Avatar.tsx";

describe("Avatar", () => {
  it("shows the picture, and the initials when the picture fails to load", () => {
    render(<Avatar src="https://img.example/ada.png" name="Ada Lovelace" alt="Profile picture of Ada Lovelace" />);
    const image = screen.getByRole("img", { name: "Profile picture of Ada Lovelace" });
    expect(image.tagName).toBe("IMG");

    fireEvent.error(image);

    const fallback = screen.getByRole("img", { name: "Profile picture of Ada Lovelace" });
    expect(fallback.tagName).toBe("SPAN");
    expect(fallback.textContent).toBe("AL");
  });

  it("shows initials when there is no picture", () => {
    const { container } = render(<Avatar src={null} name="grace" />);
    expect(container.textContent).toBe("G");
  });

  it("follows a rename: the initials and their colour are the new name's", () => {
    const { container, rerender } = render(<Avatar src={null} name="Tim Sato" />);
    const before = (container.firstChild as HTMLElement).style.backgroundColor;
    rerender(<Avatar src={null} name="Grace Hopper" />);
    expect(container.textContent).toBe("GH");
    expect((container.firstChild as HTMLElement).style.backgroundColor).not.toBe(before);
  });
});
