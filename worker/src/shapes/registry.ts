/** Every request shape besides chat → its module. A new API shape is one folder plus one line here. */
import { messagesShape } from './messages/index.ts'
import { responsesShape } from './responses/index.ts'
import type { Shape, ShapeId } from './types.ts'

export const shapes = { messages: messagesShape, responses: responsesShape } satisfies Record<ShapeId, Shape>
