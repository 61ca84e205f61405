import { useId, type ReactNode } from "react"
import { humanize } from "../domain/format"

type Common = {
  name: string
  label: string
  hint?: ReactNode
  error?: string
  className?: string
}

type Described = { "id": string; "aria-invalid": boolean; "aria-describedby"?: string }

/** Label, control, hint and the server's message for it, wired for screen readers. */
function Field({ name, label, hint, error, className, control }: Common & { control: (a: Described) => ReactNode }) {
  const id = `${useId()}-${name}`
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ")
  return (
    <div className={["field", className].filter(Boolean).join(" ")}>
      <label htmlFor={id}>{label}</label>
      {control({ "id": id, "aria-invalid": Boolean(error), "aria-describedby": described || undefined })}
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="error" id={`${id}-error`} data-testid={`error-${name}`}>
          {error}
        </div>
      ) : null}
    </div>
  )
}

type TextProps = Common & {
  value: string
  onChange: (value: string) => void
  type?: "text" | "url" | "password" | "number" | "datetime-local"
  placeholder?: string
  required?: boolean
  step?: string
  min?: string
  max?: string
  autoComplete?: string
}

export function TextField({
  value,
  onChange,
  type = "text",
  placeholder,
  required,
  step,
  min,
  max,
  autoComplete,
  ...common
}: TextProps) {
  return (
    <Field
      {...common}
      control={(a) => (
        <input
          {...a}
          name={common.name}
          type={type}
          value={value}
          placeholder={placeholder}
          required={required}
          step={step}
          min={min}
          max={max}
          autoComplete={autoComplete}
          inputMode={type === "number" ? "decimal" : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    />
  )
}

export function TextAreaField({
  value,
  onChange,
  placeholder,
  ...common
}: Common & { value: string; onChange: (v: string) => void; placeholder?: string }) {
  return (
    <Field
      {...common}
      control={(a) => (
        <textarea
          {...a}
          name={common.name}
          value={value}
          placeholder={placeholder}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    />
  )
}

export type Option = { value: string; label: string }

/** An enum's values as options, in words. */
export const optionsOf = (values: readonly string[]): Option[] => values.map((v) => ({ value: v, label: humanize(v) }))

export function SelectField({
  value,
  onChange,
  options,
  disabled,
  ...common
}: Common & { value: string; onChange: (v: string) => void; options: readonly Option[]; disabled?: boolean }) {
  return (
    <Field
      {...common}
      control={(a) => (
        <select {...a} name={common.name} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  )
}

type GroupProps = Omit<Common, "label"> & { legend: string; options: readonly Option[] }

/** A fieldset of choices, its hint and the server's message tied to the group. */
function ChoiceGroup({
  legend,
  hint,
  error,
  className,
  name,
  children,
}: Omit<GroupProps, "options"> & { children: ReactNode }) {
  const id = `${useId()}-${name}`
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ")
  return (
    <fieldset
      className={["choices", className].filter(Boolean).join(" ")}
      aria-describedby={described || undefined}
      aria-invalid={Boolean(error)}
      data-testid={`group-${name}`}
    >
      <legend>{legend}</legend>
      {children}
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="error" id={`${id}-error`} data-testid={`error-${name}`}>
          {error}
        </div>
      ) : null}
    </fieldset>
  )
}

/** One of a few options, as radio buttons. */
export function RadioGroup({
  value,
  onChange,
  options,
  ...group
}: GroupProps & { value: string; onChange: (v: string) => void }) {
  return (
    <ChoiceGroup {...group}>
      {options.map((o) => (
        <label key={o.value} className="choice">
          <input
            type="radio"
            name={group.name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </ChoiceGroup>
  )
}

/** Any number of options, as checkboxes. */
export function CheckboxGroup({
  values,
  onChange,
  options,
  disabled = false,
  ...group
}: GroupProps & { values: readonly string[]; onChange: (v: string[]) => void; disabled?: boolean }) {
  const toggle = (value: string, on: boolean) => onChange(on ? [...values, value] : values.filter((v) => v !== value))
  return (
    <ChoiceGroup {...group}>
      {options.map((o) => (
        <label key={o.value} className="choice">
          <input
            type="checkbox"
            name={group.name}
            value={o.value}
            checked={values.includes(o.value)}
            disabled={disabled}
            onChange={(e) => toggle(o.value, e.target.checked)}
          />
          {o.label}
        </label>
      ))}
    </ChoiceGroup>
  )
}

/** A file picker with its label, hint and message; `onChange` gets the file chosen, or null. */
export function FileField({
  onChange,
  accept,
  disabled,
  ...common
}: Common & { onChange: (file: File | null) => void; accept?: string; disabled?: boolean }) {
  return (
    <Field
      {...common}
      control={(a) => (
        <input
          {...a}
          name={common.name}
          type="file"
          accept={accept}
          disabled={disabled}
          onChange={(e) => onChange(e.target.files?.[0] ?? null)}
        />
      )}
    />
  )
}
